// The elementwise family is split by concern; register.cpp calls each part.
#pragma once

namespace wisp {
class OpRegistry;
}

namespace wisp::elementwise {

void register_arithmetic_ops(OpRegistry& registry);  // arithmetic.cpp
void register_logic_ops(OpRegistry& registry);       // logic.cpp: comparisons, boolean, bitwise, Where
void register_math_ops(OpRegistry& registry);        // math.cpp: unary math functions
void register_activation_ops(OpRegistry& registry);  // activations.cpp: Relu, Sigmoid, Clip, ...
void register_cast_ops(OpRegistry& registry);        // cast.cpp: Cast, CastLike

}  // namespace wisp::elementwise
