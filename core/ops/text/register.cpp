#include "core/ops/op.h"
#include "core/ops/register_all.h"
#include "core/ops/text/text_ops.h"

namespace wisp {

void register_text_ops(OpRegistry& registry) {
  text_ops::register_string_normalizer_ops(registry);
  text_ops::register_tfidf_vectorizer_ops(registry);
}

}  // namespace wisp
