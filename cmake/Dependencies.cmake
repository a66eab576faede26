# Header-only dependencies from Debian packages. For the wasm targets the host's headers
# are used directly (they are portable C++ headers).
find_path(PROTOZERO_INCLUDE_DIR protozero/pbf_reader.hpp PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH REQUIRED)
find_path(FLATBUFFERS_INCLUDE_DIR flatbuffers/flatbuffers.h PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH REQUIRED)
find_program(FLATC flatc PATHS /usr/bin NO_CMAKE_FIND_ROOT_PATH REQUIRED)

# Copy the two dependency header trees into the build so that a wasm compile does not
# put all of /usr/include on its include path.
set(WISP_THIRD_PARTY_INCLUDE ${CMAKE_BINARY_DIR}/third_party/include)
file(COPY ${PROTOZERO_INCLUDE_DIR}/protozero DESTINATION ${WISP_THIRD_PARTY_INCLUDE})
file(COPY ${FLATBUFFERS_INCLUDE_DIR}/flatbuffers DESTINATION ${WISP_THIRD_PARTY_INCLUDE})

# stb_image (Debian libstb-dev) decodes PNG/JPEG for the OCR pipeline; one header, copied the
# same way so every target sees only what it needs.
find_path(STB_INCLUDE_DIR stb/stb_image.h PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH REQUIRED)
file(COPY ${STB_INCLUDE_DIR}/stb/stb_image.h DESTINATION ${WISP_THIRD_PARTY_INCLUDE}/stb)
