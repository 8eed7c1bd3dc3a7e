// Served as a file, the dashboard has no default source: pass ?url=ws://host:port/source.
// The demo serves its own version of this file naming its source.
window.ARITHMOSPORA_DEFAULT_URL = window.ARITHMOSPORA_DEFAULT_URL || "";
