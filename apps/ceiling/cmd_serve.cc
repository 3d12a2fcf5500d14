// serve: the HTTP JSON API.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include "cli.h"
#include "server.h"

namespace ceiling::cli {

Runner SetupServe(CLI::App* sub) {
  auto o = std::make_shared<ServerOptions>();
  sub->add_option("--host", o->host, "Address to listen on (loopback by default)")
      ->capture_default_str()
      ->check(NonEmpty());  // "" would listen on every interface
  sub->add_option("--port", o->port, "Port (0: any free port)")->capture_default_str();
  sub->add_option("--threads", o->threads, "HTTP worker threads (default: max(64, 8 x cores))");
  sub->add_option("--deadline", o->deadline_s, "Seconds a request may search before a 503")
      ->capture_default_str();
  sub->add_option("--max-body", o->max_body, "Largest request body in bytes")
      ->capture_default_str();
  sub->add_option("--computing", o->computing,
                  "Threads computing answers; requests queue for them (default: one per core)");
  auto cache_mb = std::make_shared<std::size_t>(o->cache_bytes >> 20);
  sub->add_option("--cache-mb", *cache_mb, "MiB of answers kept for repeated requests (0: none)")
      ->capture_default_str();
  sub->add_option("--cors", o->cors, "Allow browser calls from this origin (default: none)")
      ->check(NonEmpty());
  return [o, cache_mb](Context& ctx) -> int {
    ctx.flag_of = {{"port", "--port"},
                   {"threads", "--threads"},
                   {"deadline", "--deadline"},
                   {"computing", "--computing"},
                   {"cache_mb", "--cache-mb"},
                   {"max_body", "--max-body"}};
    if (o->port < 0 || o->port > 65535) return ctx.Fail(FieldError("port", "must be 0 to 65535"));
    if (o->threads < 0 || o->threads > 4096)
      return ctx.Fail(FieldError("threads", "must be 0 to 4096"));
    if (o->computing < 0 || o->computing > 4096)
      return ctx.Fail(FieldError("computing", "must be 0 to 4096"));
    if (*cache_mb > 65536) return ctx.Fail(FieldError("cache_mb", "must be 0 to 65536 MiB"));
    o->cache_bytes = *cache_mb << 20;
    if (!std::isfinite(o->deadline_s) || o->deadline_s <= 0 || o->deadline_s > 86400)
      return ctx.Fail(FieldError("deadline", "must be more than 0 and at most 86400 seconds"));
    if (o->max_body < 1024 || o->max_body > (256u << 20))
      return ctx.Fail(FieldError("max_body", "must be 1 KiB to 256 MiB"));
    // Answers name data files by their path as loaded. Loading from the data folder's parent
    // makes that "data/chips/nvidia/h20.toml" whatever the server's directory layout, so an
    // answer does not show where the server keeps its files (nothing is read after loading).
    std::error_code ec;
    const std::filesystem::path data = std::filesystem::weakly_canonical(
        std::filesystem::absolute(ctx.data_dir, ec), ec);
    if (!ec && !data.filename().empty() && std::filesystem::is_directory(data, ec)) {
      std::filesystem::current_path(data.parent_path(), ec);
      if (!ec) ctx.data_dir = data.filename().string();
    }
    auto kb = ctx.Kb(api::kAllParts);
    if (!kb.ok()) return ctx.Fail(kb.error());

    // SIGINT/SIGTERM end the server cleanly: blocked in every thread, awaited by one.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Server server(*kb, *o);
    auto port = server.Bind();
    if (!port.ok()) return ctx.Fail(port.error());
    std::thread waiter([&server, signals] {
      int sig = 0;
      sigwait(&signals, &sig);
      server.Stop();
    });
    ctx.out << fmt::format("ceiling serve: listening on http://{}:{}/ (data {}; Ctrl-C stops)\n",
                           o->host, *port, ec ? ctx.data_dir : data.string())
            << std::flush;
    const bool ok = server.Run();
    // Wake the waiter if the server ended by itself.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return ok ? kExitOk : kExitBadInput;
  };
}

}  // namespace ceiling::cli
