# Copies one variant's Emscripten output (SRC/NAME.{js,wasm}[, NAME.worker.js]) into the
# package's core/ folder (DEST) in the forms wisp.mjs loads:
#   NAME.js          the glue unchanged: CommonJS for Node (core/package.json says
#                    "type": "commonjs") and a classic script for the importScripts() of
#                    browser pthread workers
#   NAME.mjs         the glue followed by an ESM default export, for browsers' main thread;
#                    its Node branch (which calls `require`) never runs there
#   NAME.wasm, NAME.worker.js
file(READ ${SRC}/${NAME}.js glue)
file(MAKE_DIRECTORY ${DEST})
file(WRITE ${DEST}/${NAME}.js "${glue}")
file(WRITE ${DEST}/${NAME}.mjs "${glue}\nexport default createWispCore;\n")
file(COPY_FILE ${SRC}/${NAME}.wasm ${DEST}/${NAME}.wasm)
if(EXISTS ${SRC}/${NAME}.worker.js)
  file(COPY_FILE ${SRC}/${NAME}.worker.js ${DEST}/${NAME}.worker.js)
endif()
