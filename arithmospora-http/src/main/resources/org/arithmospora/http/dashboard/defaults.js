// Served as a file, the dashboard has no default source: pass ?url=ws://host:port/source.
// A server with a [web] table serves its own version of this file, naming its sources.
window.ARITHMOSPORA_DEFAULT_URL = window.ARITHMOSPORA_DEFAULT_URL || "";
