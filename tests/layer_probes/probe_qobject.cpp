// Must not compile inside core: Qt belongs to ui/ (and the GUI client).
#include <QObject>
int probeQObject() { return 0; }
