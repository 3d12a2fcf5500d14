#include "server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "ceiling/api/answer_cache.h"
#include "ceiling/api/operations.h"
#include "ceiling/base/executor.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/report/dossier.h"

namespace ceiling::cli {

namespace web {
// The built web app, embedded by cmake/embed_web.cmake: (path, bytes); empty without it.
const std::vector<std::pair<std::string_view, std::string_view>>& Assets();
}  // namespace web

using nlohmann::json;

namespace {

constexpr const char* kJson = "application/json";
constexpr int kMaxJsonDepth = 64;

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kNoAnswer:
      return 422;
    case ErrorCode::kDeadlineExceeded:
      return 503;
    case ErrorCode::kIo:
      return 500;
    default:
      return 400;
  }
}

void SendError(httplib::Response& res, const Error& e) {
  res.status = HttpStatus(e.code);
  res.set_content(api::DumpJsonText(api::ErrorJson(e)), kJson);
}

std::string RouteSuggestion(const std::string& path) {
  constexpr std::string_view kPrefix = "/api/v1/";
  std::string rest = path.rfind(kPrefix, 0) == 0 ? path.substr(kPrefix.size()) : path;
  std::string best;
  int best_d = std::max<int>(3, static_cast<int>(rest.size()) / 3) + 1;
  for (const api::Operation& op : api::Operations()) {
    const int d = EditDistance(rest, op.name);
    if (d < best_d) best_d = d, best = std::string(op.name);
  }
  return best.empty() ? " (see /api/v1/openapi.json for the routes)"
                      : fmt::format("; did you mean /api/v1/{}?", best);
}

constexpr const char* kIndexHtml = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ceiling</title></head>
<body><h1>ceiling</h1>
<p>May this AI chip go there, and what can it do there? The JSON API is under
<a href="/api/v1/openapi.json">/api/v1/</a> (OpenAPI 3.1 document), e.g.
<a href="/api/v1/classify?chip=nvidia-h20&amp;date=2025-05-01&amp;to=CN">/api/v1/classify?chip=nvidia-h20&amp;date=2025-05-01&amp;to=CN</a>.</p>
</body></html>
)";

// Content types by extension. httplib compresses text/* (and a few other) types itself when the
// client accepts it; the script is stored compressed instead, so its type is one httplib leaves
// alone ("application/javascript" with a charset), else it would be compressed twice.
const char* ContentType(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "application/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return kJson;
  if (ends(".png")) return "image/png";
  if (ends(".woff2")) return "font/woff2";
  return "text/plain; charset=utf-8";
}

// The app's page: scripts and styles from this server only (the charts' inline SVG styles
// excepted), no framing.
void SetPageHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                 "frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
}

constexpr int kListenBacklog = 1024;  // pending connections (see Server::Bind)

// The threads that compute answers, in arrival order. The server keeps one thread per keep-alive
// connection; if each computed its own answers, 64 busy connections on two cores would be 64
// runnable threads sharing the cores (and starving the clients'), and the scheduler's tail would
// become the answer's tail. Here a connection's thread hands the work over and sleeps. Few threads
// also keep the allocator warm: a classification with its trace allocates and frees ~2,000 nodes,
// and tcmalloc's per-thread caches, spread over 64 threads, were each too small to hold them
// (distinct classifications with the trace at 16 connections: 2,400/s before, 5,400/s after).
class ComputePool {
 public:
  explicit ComputePool(int workers) {
    for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ComputePool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // Runs `fn` on a pool thread and returns its answer.
  Result<std::string> Run(const std::function<Result<std::string>()>& fn) {
    Job job;
    job.fn = &fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(&job);
    }
    ready_.notify_one();
    std::unique_lock<std::mutex> lock(mu_);
    job.done_cv.wait(lock, [&] { return job.out.has_value() || job.thrown; });
    if (job.thrown) std::rethrow_exception(job.thrown);  // as if thrown here: httplib answers 500
    return std::move(*job.out);
  }

 private:
  struct Job {
    const std::function<Result<std::string>()>* fn = nullptr;
    std::optional<Result<std::string>> out;
    std::exception_ptr thrown;
    std::condition_variable done_cv;
  };

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      ready_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      Job* job = queue_.front();
      queue_.pop_front();
      lock.unlock();
      std::optional<Result<std::string>> out;
      std::exception_ptr thrown;
      try {
        out.emplace((*job->fn)());
      } catch (...) {
        thrown = std::current_exception();
      }
      lock.lock();
      job->out = std::move(out);
      job->thrown = thrown;
      job->done_cv.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Job*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

const std::vector<std::string>& AppPaths() {
  static const std::vector<std::string> kPaths = {
      "/",       "/chip",       "/map",   "/matrix", "/compare", "/train",
      "/design", "/capability", "/fleet", "/rules",  "/catalog", "/accuracy"};
  return kPaths;
}

// A page address a person typed or followed, not an API route: a view's path with a trailing
// slash or in capitals is redirected to the view (308, the query kept); anything else a browser
// asks for gets a page that says so with links to the views, where an API client gets the JSON
// error. Returns whether it answered.
bool WebNotFound(const httplib::Request& req, httplib::Response& res) {
  std::string view = req.path;
  std::transform(view.begin(), view.end(), view.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (view.size() > 1 && view.back() == '/') view.pop_back();
  const auto& views = AppPaths();
  if (view != req.path && std::find(views.begin(), views.end(), view) != views.end()) {
    const std::size_t q = req.target.find('?');
    res.status = 308;
    res.set_header("Location", view + (q == std::string::npos ? "" : req.target.substr(q)));
    res.set_content("", "text/plain");
    return true;
  }
  if (req.get_header_value("Accept").find("text/html") == std::string::npos) return false;
  std::string links;
  for (const std::string& v : views)
    if (v != "/") links += fmt::format(" <a href=\"{0}\">{1}</a>", v, v.substr(1));
  res.set_content(fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Page not found - ceiling</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}}
a{{color:#0057a3}}.views a{{margin-right:.6em}}</style></head>
<body><h1>Page not found</h1><p>There is no page at <code>{}</code>.</p>
<p class="views"><a href="/">ceiling</a> views:{}</p>
<p>The JSON API is under <a href="/api/v1/openapi.json">/api/v1/</a>.</p></body></html>
)",
                              report::HtmlEscape(req.path), links),
                  "text/html; charset=utf-8");
  return true;
}

struct Server::Impl {
  std::shared_ptr<const api::KnowledgeBase> kb;
  ServerOptions options;
  httplib::Server http;
  std::string openapi;  // rendered once
  std::string version;
  std::unique_ptr<api::AnswerCache> cache;
  std::unique_ptr<ComputePool> pool;
  int listen_socket = -1;

  void Answer(const api::Operation& op, const json& body, httplib::Response& res) {
    const std::string key = cache->capacity() > 0 ? api::AnswerCache::Key(op.name, body) : "";
    std::shared_ptr<const std::string> text = cache->Find(key);
    res.set_header("X-Ceiling-Cache", text ? "hit" : "miss");
    if (!text) {
      api::CallOptions call;
      if (options.deadline_s > 0)  // the wait in the queue counts: an overloaded server says 503
        call.stop = StopToken::After(std::chrono::duration_cast<StopToken::Clock::duration>(
            std::chrono::duration<double>(options.deadline_s)));
      auto out = pool->Run([&] { return op.run(*kb, body, call); });
      if (!out.ok()) return SendError(res, out.error());
      if (out->size() > options.max_response)
        return SendError(res, MakeError(ErrorCode::kTooLarge,
                                        fmt::format("the answer is over {} bytes; narrow the "
                                                    "request",
                                                    options.max_response)));
      text = std::make_shared<const std::string>(std::move(*out));
      cache->Insert(key, text);
    }
    res.status = 200;
    res.set_content(*text, std::string(op.content_type));
  }

  void Get(const api::Operation& op, const httplib::Request& req, httplib::Response& res) {
    api::QueryParams params(req.params.begin(), req.params.end());
    auto body = op.decode_query(params);
    if (!body.ok()) return SendError(res, body.error());
    Answer(op, *body, res);
  }

  void Post(const api::Operation& op, const httplib::Request& req, httplib::Response& res) {
    if (req.target.find('?') != std::string::npos)
      return SendError(res, MakeError(ErrorCode::kInvalidArgument,
                                      "a POST takes its arguments in the JSON body, not in the "
                                      "query string"));
    // `curl -d '{...}'` sends JSON labelled as a form: accepted, since the body is parsed as JSON.
    const std::string type = req.get_header_value("Content-Type");
    if (!type.empty() && type.rfind(kJson, 0) != 0 &&
        type.rfind("application/x-www-form-urlencoded", 0) != 0)
      return SendError(res, MakeError(ErrorCode::kInvalidArgument,
                                      fmt::format("expected Content-Type: application/json, got "
                                                  "\"{}\"",
                                                  type)));
    const std::string& text = req.body.empty() ? std::string("{}") : req.body;
    if (api::JsonNestingDepth(text) > kMaxJsonDepth)
      return SendError(
          res, MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("the JSON body nests deeper than {} levels", kMaxJsonDepth)));
    json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      return SendError(res, MakeError(ErrorCode::kInvalidArgument, "the body is not valid JSON"));
    Answer(op, body, res);
  }

  void Routes() {
    for (const api::Operation& op : api::Operations()) {
      const std::string path = "/api/v1/" + std::string(op.name);
      const api::Operation* p = &op;
      http.Post(path, [this, p](const httplib::Request& req, httplib::Response& res) {
        Post(*p, req, res);
      });
      if (op.get) {
        http.Get(path, [this, p](const httplib::Request& req, httplib::Response& res) {
          Get(*p, req, res);
        });
      } else {
        http.Get(path, [p](const httplib::Request&, httplib::Response& res) {
          SendError(res, MakeError(ErrorCode::kInvalidArgument,
                                   fmt::format("/api/v1/{} takes a POST with a JSON body (its "
                                               "input is a file's text)",
                                               p->name)));
          res.status = 405;
          res.set_header("Allow", "POST");
        });
      }
    }
    http.Get("/api/v1/openapi.json", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(openapi, kJson);
    });
    http.Get("/api/v1/version", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(version, kJson);
    });
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\": \"ok\"}\n", kJson);
    });
    StaticRoutes();
    if (!options.cors.empty())
      http.Options("/api/v1/.*", [](const httplib::Request&, httplib::Response& res) {
        res.status = 204;
        res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.set_header("Access-Control-Allow-Headers", "Content-Type");
        res.set_header("Access-Control-Max-Age", "600");
      });
  }

  // The web app: its page at every view's path, the bundle under /assets/ (the script also stored
  // brotli- and gzip-compressed at build time, served as the browser accepts).
  void StaticRoutes() {
    struct Asset {
      std::string_view raw, br, gz;
    };
    std::map<std::string_view, Asset> assets;
    std::string_view page;
    // Named copies, not structured bindings: clang 14 (the ASan and fuzz builds) cannot capture
    // a binding in a lambda.
    for (const auto& entry : web::Assets()) {
      const std::string_view path = entry.first, bytes = entry.second;
      auto strip = [&](std::string_view ext) {
        return path.size() > ext.size() && path.substr(path.size() - ext.size()) == ext
                   ? path.substr(0, path.size() - ext.size())
                   : std::string_view();
      };
      if (path == "/index.html")
        page = bytes;
      else if (auto p = strip(".br"); !p.empty())
        assets[p].br = bytes;
      else if (auto q = strip(".gz"); !q.empty())
        assets[q].gz = bytes;
      else
        assets[path].raw = bytes;
    }
    for (const auto& entry : assets) {
      const std::string_view path = entry.first;
      const Asset a = entry.second;
      const char* type = ContentType(path);
      http.Get(std::string(path), [a, type](const httplib::Request& req, httplib::Response& res) {
        const std::string accept = req.get_header_value("Accept-Encoding");
        std::string_view body = a.raw;
        if (!a.br.empty() && accept.find("br") != std::string::npos) {
          body = a.br;
          res.set_header("Content-Encoding", "br");
        } else if (!a.gz.empty() && accept.find("gzip") != std::string::npos) {
          body = a.gz;
          res.set_header("Content-Encoding", "gzip");
        }
        res.set_content(body.data(), body.size(), type);
        res.set_header("Vary", "Accept-Encoding");
        res.set_header("Cache-Control", "public, max-age=31536000, immutable");
        res.set_header("X-Content-Type-Options", "nosniff");
      });
    }
    if (page.empty()) page = kIndexHtml;
    for (const std::string& path : AppPaths())
      http.Get(path, [page](const httplib::Request&, httplib::Response& res) {
        res.set_content(page.data(), page.size(), "text/html; charset=utf-8");
        res.set_header("Cache-Control", "no-cache");
        SetPageHeaders(res);
      });
  }

  void Handlers() {
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 404 && req.path.rfind("/api/", 0) != 0 && WebNotFound(req, res)) return;
      Error e;
      switch (res.status) {
        case 404:
          e = MakeError(ErrorCode::kNotFound,
                        fmt::format("no route {}{}", req.path, RouteSuggestion(req.path)));
          break;
        case 413:
          e = MakeError(ErrorCode::kTooLarge, "the request body is over the limit");
          break;
        default:
          e = MakeError(ErrorCode::kInvalidArgument,
                        fmt::format("HTTP {} for {} {}", res.status, req.method, req.path));
      }
      const int status = res.status;
      res.set_content(api::DumpJsonText(api::ErrorJson(e)), kJson);
      res.status = status;
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) {
      res.status = 500;
      res.set_content(
          api::DumpJsonText(api::ErrorJson(MakeError(ErrorCode::kIo, "internal error"))), kJson);
    });
    http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      // httplib compresses answers with brotli whenever the client accepts it, at brotli's best
      // (slowest) quality: about 100 ms for a 50 KB chip map, 20x the time to compute it. So
      // brotli is offered only for the web app's script, stored compressed at build time
      // (StaticRoutes); every other answer is gzip-compressed, which costs about a millisecond.
      // The request object is httplib's own, not const (only the handler's view of it is).
      if (req.path.rfind("/assets/", 0) != 0) {
        auto& headers = const_cast<httplib::Request&>(req).headers;
        auto it = headers.find("Accept-Encoding");
        if (it != headers.end() && it->second.find("br") != std::string::npos) {
          std::string kept;
          for (std::string_view rest = it->second; !rest.empty();) {
            const auto comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            if (item.rfind("br", 0) != 0) kept += (kept.empty() ? "" : ", ") + std::string(item);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          }
          it->second = kept;
        }
      }
      // A known route asked with a method it does not take: 405, not 404.
      if (req.method != "GET" && req.method != "POST" && req.method != "OPTIONS" &&
          req.method != "HEAD") {
        res.status = 405;
        res.set_header("Allow", "GET, POST");
        res.set_content(
            api::DumpJsonText(api::ErrorJson(
                MakeError(ErrorCode::kInvalidArgument,
                          fmt::format("method {} is not allowed (use GET or POST)", req.method)))),
            kJson);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    if (!options.cors.empty())
      http.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
        res.set_header("Access-Control-Allow-Origin", options.cors);
        res.set_header("Vary", "Origin");
      });
  }
};

Server::Server(std::shared_ptr<const api::KnowledgeBase> kb, ServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->kb = std::move(kb);
  impl_->options = std::move(options);
  impl_->openapi = api::DumpJsonText(api::OpenApiDocument(*impl_->kb));
  impl_->version = api::DumpJsonText(api::VersionJson(*impl_->kb));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = impl_->options.threads > 0 ? impl_->options.threads : std::max(64, 8 * cores);
  impl_->cache = std::make_unique<api::AnswerCache>(impl_->options.cache_bytes);
  impl_->pool = std::make_unique<ComputePool>(
      impl_->options.computing > 0 ? impl_->options.computing : cores);
  impl_->http.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  impl_->http.set_payload_max_length(impl_->options.max_body);
  impl_->http.set_read_timeout(impl_->options.read_timeout_s, 0);
  impl_->http.set_write_timeout(impl_->options.write_timeout_s, 0);
  impl_->http.set_keep_alive_max_count(100000);
  impl_->http.set_tcp_nodelay(true);
  impl_->http.set_socket_options([impl = impl_.get()](socket_t sock) {
    httplib::default_socket_options(sock);
    impl->listen_socket = sock;
  });
  impl_->Handlers();
  impl_->Routes();
}

Server::~Server() = default;

Result<int> Server::Bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
    if (port <= 0) return MakeError(ErrorCode::kIo, fmt::format("cannot listen on {}", o.host));
  } else if (!impl_->http.bind_to_port(o.host, port)) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("cannot listen on {}:{} (in use, or not an address of this "
                                 "machine)",
                                 o.host, port));
  }
  // The packaged cpp-httplib listens with a backlog of 5: when 64 clients connect at once the
  // kernel drops the SYNs past it, and each of those clients waits out a 1 s SYN retransmission
  // before its first request (the 0.3-3 s tails once measured at 64 connections). listen() on a
  // listening socket only resizes its queue; the kernel caps it at net.core.somaxconn.
  if (impl_->listen_socket >= 0) ::listen(impl_->listen_socket, kListenBacklog);
  return port;
}

bool Server::Run() { return impl_->http.listen_after_bind(); }

void Server::Stop() { impl_->http.stop(); }

}  // namespace ceiling::cli
