// Registration functions of the files in core/ops/text/, called from register.cpp.
#pragma once

namespace wisp {
class OpRegistry;
}

namespace wisp::text_ops {

void register_string_normalizer_ops(OpRegistry& r);  // StringNormalizer
void register_tfidf_vectorizer_ops(OpRegistry& r);   // TfIdfVectorizer

}  // namespace wisp::text_ops
