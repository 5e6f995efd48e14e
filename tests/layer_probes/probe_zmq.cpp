// Must not compile inside core: ZeroMQ belongs to net/.
#include <zmq.hpp>
int probeZmq() { return 0; }
