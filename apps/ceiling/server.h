// `ceiling serve`: the HTTP JSON API over the api module (and, at /, the web app's files).
//
//   ServerOptions o;  o.port = 0;                       // an ephemeral port
//   Server s(kb, o);
//   ASSIGN_OR_RETURN(int port, s.Bind());              // "listening on http://127.0.0.1:PORT"
//   s.Run();                                           // until Stop() (SIGINT/SIGTERM in main)
//
// Routes: /api/v1/<operation> for every api::Operations() entry (POST with a JSON body; GET with
// query parameters), /api/v1/openapi.json, /api/v1/version, /healthz, and the web app embedded in
// the binary: its page at / and at every view's path (AppPaths()), its bundle under /assets/
// (content-hashed names, cached for a year). A binary built without the web app (no node) serves
// a placeholder page at / that points at the API. Bodies are exactly the
// CLI's --json output. Errors are JSON: 400 bad input {"error": {"field", "message"}}, 404 unknown
// route or id (with suggestions), 405 wrong method, 413 body or response over its limit, 422 a
// valid request without an answer, 503 the deadline stopped a search. Nothing from a request
// reaches the file system; the server writes no file. Stateless: replicas behind a load balancer
// scale it. Answers are cached by request (api::AnswerCache; header X-Ceiling-Cache: hit|miss), and
// `computing` threads compute the answers, requests waiting for them in arrival order.
#ifndef CEILING_APPS_CEILING_SERVER_H_
#define CEILING_APPS_CEILING_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ceiling/api/knowledge_base.h"
#include "ceiling/base/result.h"

namespace ceiling::cli {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0: any free port
  int threads = 0;                       // HTTP worker threads; 0: 8 x cores, at least 64
  int computing = 0;                     // threads computing answers; 0: one per core
  std::size_t cache_bytes = 64u << 20;   // answers kept (api::AnswerCache); 0: none
  double deadline_s = 30;                // per request, for searches
  std::size_t max_body = 1 << 20;        // bytes
  std::size_t max_response = 64u << 20;  // bytes
  int read_timeout_s = 10, write_timeout_s = 30;
  std::string cors;  // an origin allowed to call the API; "" = none
};

// The paths at which the web app's page is served: "/" and one per view ("/chip", "/map", ...).
const std::vector<std::string>& AppPaths();

class Server {
 public:
  Server(std::shared_ptr<const api::KnowledgeBase> kb, ServerOptions options);
  ~Server();
  // Binds the socket; returns the port. Errors: the address is in use or not available.
  Result<int> Bind();
  // Serves until Stop(). Returns false when the server could not run.
  bool Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ceiling::cli

#endif  // CEILING_APPS_CEILING_SERVER_H_
