// The control socket's requests (net/coordinator/control_requests: the request itself, then each
// command's arguments) as a client on the control socket sends them: one frame, any bytes. The reply is
// built and serialised as answerControlRequests does, with an answer that reads every command's
// arguments the way the worker pool does; nothing may throw or abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/coordinator/control_requests.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distopt::net;
  const std::string reply = controlReply(
      data, size, [](const std::string& command, const nlohmann::json& request) -> nlohmann::json {
        std::string why;
        if (command == "status" || command == "stop") return {{"ok", true}};
        if (command == "exclude") {
          const auto worker = parseWorkerArgument(request, &why);
          if (worker && *worker < 0) std::abort();  // the parser promised an id
          return worker ? nlohmann::json{{"ok", *worker}} : nlohmann::json{{"error", why}};
        }
        if (command == "allow_key" || command == "allow_dashboard_key") {
          const auto key = parseKeyArgument(request, command, &why);
          if (key && key->size() != 40) std::abort();  // the parser promised a CURVE key
          return key ? nlohmann::json{{"ok", *key}} : nlohmann::json{{"error", why}};
        }
        return nullptr;
      });
  // Every reply is one JSON object a client can parse back.
  if (!nlohmann::json::accept(reply)) std::abort();
  return 0;
}
