# Writes EMBED_OUTPUT from EMBED_TEMPLATE with the bytes of EMBED_SOURCE in a raw string literal.
file(READ ${EMBED_SOURCE} EMBED_CONTENT)
get_filename_component(EMBED_SOURCE ${EMBED_SOURCE} NAME)
configure_file(${EMBED_TEMPLATE} ${EMBED_OUTPUT} @ONLY)
