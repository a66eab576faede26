#include "web/bindings/web_model.h"

#include <cmath>

#if WISP_HAS_THREADS
#include <emscripten/em_asm.h>
#endif

#include "core/loaders/wisp_format.h"

using emscripten::val;

namespace wisp::web {

namespace {

val error_object(const std::string& message) {
  val out = val::object();
  out.set("error", message);
  return out;
}

val error_object(const Status& status) { return error_object(status.message()); }

// Reads a JS array of non-negative integers (numbers) into a Shape.
Result<Shape> shape_from_js(val dims, const std::string& name) {
  WISP_CHECK_ARG(dims.isArray(), "dims of '", name, "' must be an array");
  Shape shape;
  const unsigned rank = dims["length"].as<unsigned>();
  for (unsigned i = 0; i < rank; ++i) {
    val d = dims[i];
    WISP_CHECK_ARG(d.isNumber(), "dims of '", name, "' must be numbers");
    double v = d.as<double>();
    WISP_CHECK_ARG(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v, "dims of '", name,
                   "' must be non-negative integers, got ", v);
    shape.push_back(int64_t(v));
  }
  return shape;
}

val dims_to_js(const Shape& shape) {
  val out = val::array();
  for (size_t i = 0; i < shape.size(); ++i) out.set(i, double(shape[i]));
  return out;
}

val value_infos_to_js(const std::vector<ValueInfo>& infos) {
  val out = val::array();
  for (size_t i = 0; i < infos.size(); ++i) {
    const ValueInfo& info = infos[i];
    val item = val::object();
    item.set("name", info.name);
    item.set("dtype", info.dtype == DType::Undefined ? val::null() : val(std::string(dtype_name(info.dtype))));
    if (info.has_shape) {
      val shape = val::array();
      for (size_t d = 0; d < info.shape.size(); ++d) {
        const Dim& dim = info.shape[d];
        if (dim.is_fixed()) {
          shape.set(d, double(dim.value));
        } else if (!dim.symbol.empty()) {
          shape.set(d, dim.symbol);
        } else {
          shape.set(d, val::null());
        }
      }
      item.set("shape", shape);
    } else {
      item.set("shape", val::null());
    }
    out.set(i, item);
  }
  return out;
}

}  // namespace

ModelBytes::ModelBytes(double size) {
  if (!(size >= 0 && size <= double(SIZE_MAX))) return;
  size_ = size_t(size);
  if (size_ > 0) storage_ = Storage::allocate_heap(size_);  // nullptr when out of memory
}

double ModelBytes::ptr() const { return storage_ ? double(reinterpret_cast<uintptr_t>(storage_->data())) : 0; }

FileBytes ModelBytes::file_bytes() const {
  FileBytes out;
  out.data = storage_ ? static_cast<const uint8_t*>(storage_->data()) : nullptr;
  out.size = size_;
  out.owner = storage_;
  return out;
}

std::string WebModel::load(const ModelBytes& bytes, val options) {
  if (!bytes.ok()) return "out of memory while reading the model";
  if (session_) return "this model is already loaded";
  SessionOptions session_options;
  if (!options.isUndefined() && !options.isNull()) {
    val optimize = options["optimize"];
    if (!optimize.isUndefined()) session_options.optimize = optimize.as<bool>();
    val threads = options["numThreads"];
    if (!threads.isUndefined()) {
      double n = threads.isNumber() ? threads.as<double>() : -1;
      if (!(n >= 1 && n <= 1024 && std::floor(n) == n)) return "numThreads must be an integer from 1 to 1024";
      session_options.num_threads = int(n);
    }
  }
  Result<std::unique_ptr<Session>> session = Session::load_bytes(bytes.file_bytes(), session_options);
  if (!session.is_ok()) return session.status().message();
  session_ = std::shared_ptr<const Session>(std::move(session).value());
  queue_ = std::make_unique<RunQueue>();
  return "";
}

val WebModel::inputs() const { return session_ ? value_infos_to_js(session_->inputs()) : val::array(); }
val WebModel::outputs() const { return session_ ? value_infos_to_js(session_->outputs()) : val::array(); }
int WebModel::num_threads() const { return session_ ? session_->threads().num_threads() : 0; }

val RunJob::prepare_input(const std::string& name, const std::string& dtype_text, val dims) {
  DType dtype = dtype_from_name(dtype_text);
  if (dtype == DType::Undefined || dtype == DType::String) {
    return error_object("input '" + name + "': unknown dtype '" + dtype_text + "'");
  }
  Result<Shape> shape = shape_from_js(dims, name);
  if (!shape.is_ok()) return error_object(shape.status());
  Result<Tensor> tensor = Tensor::empty(dtype, shape.value());
  if (!tensor.is_ok()) return error_object(tensor.status().with_context("input '" + name + "': "));
  val out = val::object();
  out.set("ptr", double(reinterpret_cast<uintptr_t>(tensor->raw_data())));
  out.set("nbytes", double(tensor->nbytes()));
  feeds_.emplace_back(name, std::move(tensor).value());
  return out;
}

std::string RunJob::set_string_input(const std::string& name, val dims, val strings) {
  Result<Shape> shape = shape_from_js(dims, name);
  if (!shape.is_ok()) return shape.status().message();
  if (!strings.isArray()) return "input '" + name + "': string data must be an array of strings";
  const unsigned count = strings["length"].as<unsigned>();
  Result<int64_t> n = checked_numel(shape.value(), kDefaultMaxTensorElements);
  if (!n.is_ok()) return n.status().message();
  if (int64_t(count) != n.value()) {
    return "input '" + name + "': " + std::to_string(count) + " strings given for shape " +
           shape_to_string(shape.value());
  }
  std::vector<std::string> values;
  values.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    val s = strings[i];
    if (!s.isString()) return "input '" + name + "': string data must be an array of strings";
    values.push_back(s.as<std::string>());
  }
  feeds_.emplace_back(name, Tensor::from_strings(shape.value(), std::move(values)));
  return "";
}

void RunJob::execute(const Session& session) {
  Result<NamedTensors> result = session.run(feeds_, profiling_ ? &profile_ : nullptr);
  feeds_.clear();
  if (result.is_ok()) {
    outputs_ = std::move(result).value();
  } else {
    status_ = result.status();
  }
  done_ = true;
}

void RunJob::fail(Status status) {
  feeds_.clear();
  status_ = std::move(status);
  done_ = true;
}

val RunJob::result() const {
  if (!done_) return error_object("the run has not finished");
  if (!status_.is_ok()) return error_object(status_);
  val list = val::array();
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const auto& [name, t] = outputs_[i];
    val item = val::object();
    item.set("name", name);
    item.set("dtype", std::string(dtype_name(t.dtype())));
    item.set("dims", dims_to_js(t.shape()));
    if (t.dtype() == DType::String) {
      val strings = val::array();
      for (int64_t k = 0; k < t.numel(); ++k) strings.set(size_t(k), t.strings()[k]);
      item.set("strings", strings);
    } else {
      item.set("ptr", double(reinterpret_cast<uintptr_t>(t.raw_data())));
      item.set("nbytes", double(t.nbytes()));
    }
    list.set(i, item);
  }
  val out = val::object();
  out.set("outputs", list);
  if (profiling_) {
    val nodes = val::array();
    for (size_t i = 0; i < profile_.nodes.size(); ++i) {
      const RunProfile::NodeTime& node = profile_.nodes[i];
      val entry = val::object();
      entry.set("name", node.name);
      entry.set("opType", node.op_type);
      entry.set("ms", node.seconds * 1e3);
      nodes.set(i, entry);
    }
    val profile = val::object();
    profile.set("nodes", nodes);
    profile.set("allocationMs", profile_.allocation_seconds * 1e3);
    profile.set("allocations", double(profile_.allocations));
    out.set("profile", profile);
  }
  return out;
}

bool WebModel::start(RunJob& job, int id) {
  if (!session_ || !queue_) {
    job.fail(Status(ErrorCode::InvalidArgument, "the model is not loaded or has been disposed"));
    return true;
  }
  std::shared_ptr<const Session> session = session_;
  RunJob* target = &job;
  return !queue_->post([session, target, id] {
    target->execute(*session);
#if WISP_HAS_THREADS
    // Queued for the main thread's event loop; JS resolves the run's promise there.
    MAIN_THREAD_ASYNC_EM_ASM({ Module["wispJobDone"]($0); }, id);
#else
    (void)id;
#endif
  });
}

void WebModel::dispose() {
  if (queue_) {
    // The last reference to the session goes with this task, after the runs already queued,
    // so the session (and its thread pool, whose threads it joins) is freed on the run thread.
    queue_->post([session = std::move(session_)] {});
    queue_.reset();
  }
  session_.reset();
}

val WebModel::to_wisp() const {
  if (!session_) return error_object("the model is not loaded");
  Result<std::vector<uint8_t>> bytes = save_wisp_to_bytes(session_->model());
  if (!bytes.is_ok()) return error_object(bytes.status());
  // slice() copies out of the heap into a JS-owned Uint8Array.
  return val(emscripten::typed_memory_view(bytes->size(), bytes->data())).call<val>("slice");
}

}  // namespace wisp::web
