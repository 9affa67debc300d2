// Tribune's only script. Progressive enhancement: every page works without it.
"use strict";
