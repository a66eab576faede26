# Makes the two loadable forms of the Emscripten glue from wisp_core.js:
#   wisp_core.cjs          unchanged CommonJS, for Node (`.cjs` so a "type": "module"
#                          package.json around it does not turn it into ESM)
#   wisp_core.browser.mjs  the glue followed by an ESM default export, for browsers; its Node
#                          branch (which calls `require`) never runs there.
file(READ ${GLUE} glue)
file(WRITE ${DIST}/wisp_core.cjs "${glue}")
file(WRITE ${DIST}/wisp_core.browser.mjs "${glue}\nexport default createWispCore;\n")
