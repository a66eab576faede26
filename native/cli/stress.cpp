// `wisp stress MODEL`: runs one loaded model from several client threads at once and checks
// that every result is bit-identical to a single run, then reports resident memory over the
// runs so that leaks and unbounded caches show up (the basis of the concurrency and soak tests).
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#if WISP_HAS_THREADS
#include <barrier>
#include <mutex>
#include <thread>
#endif
#if defined(__linux__)
#include <unistd.h>
#endif

#include "native/cli/commands.h"
#include "native/cli/inputs.h"

namespace wisp::cli {
namespace {

// Resident set size in MiB, or -1 where the platform does not tell (only Linux is read).
double resident_mib() {
#if defined(__linux__)
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident) {
    return double(pages_resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
  }
#endif
  return -1;
}

// Empty when `actual` equals `expected` bit for bit (strings by value), else what differs.
std::string difference(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape()) {
    return actual.describe() + " instead of " + expected.describe();
  }
  if (expected.dtype() == DType::String) {
    for (int64_t i = 0; i < expected.numel(); ++i) {
      if (actual.strings()[i] != expected.strings()[i]) return "string " + std::to_string(i) + " differs";
    }
    return "";
  }
  if (expected.nbytes() && std::memcmp(actual.raw_data(), expected.raw_data(), expected.nbytes()) != 0) {
    return "values differ";
  }
  return "";
}

struct StressResult {
  std::atomic<int64_t> runs{0}, mismatches{0}, errors{0};
  std::string first_problem;

  void problem(const std::string& text) {
#if WISP_HAS_THREADS
    std::lock_guard<std::mutex> lock(mutex);
#endif
    if (first_problem.empty()) first_problem = text;
  }
#if WISP_HAS_THREADS
  std::mutex mutex;
#endif
};

void client(const Session& session, const NamedTensors& feeds, const NamedTensors& reference, int64_t runs,
            StressResult& result) {
  for (int64_t r = 0; r < runs; ++r) {
    Result<NamedTensors> outputs = session.run(feeds);
    ++result.runs;
    if (!outputs.is_ok()) {
      ++result.errors;
      result.problem(outputs.status().message());
      continue;
    }
    for (size_t i = 0; i < reference.size(); ++i) {
      std::string diff = difference(outputs.value()[i].second, reference[i].second);
      if (!diff.empty()) {
        ++result.mismatches;
        result.problem("output '" + reference[i].first + "': " + diff);
        break;
      }
    }
  }
}

}  // namespace

int stress_command(const Args& args) {
  Options o("wisp stress MODEL [--clients N] [--runs N] [--warmup N] [--max-growth-mib X] [input options]",
            "Runs MODEL from N client threads at once, RUNS times each, and checks that every result is\n"
            "bit-identical to a single run. Then reports resident memory: at start, after the warm-up\n"
            "runs, and at the end; fails when it grew by more than --max-growth-mib after warm-up.");
  add_input_options(o);
  add_session_options(o);
  o.value("--clients", "N", "threads calling run() at the same time (default 8)");
  o.value("--runs", "N", "runs per client (default 1000)");
  o.value("--warmup", "N", "runs per client before memory is measured (default 20)");
  o.value("--max-growth-mib", "X", "allowed growth of resident memory after warm-up (default 8)");
  if (int rc = parse_command_line(o, args, 1, "MODEL"); rc != kContinue) return rc;
  const std::string& path = o.positional()[0];
  Result<SessionOptions> session_options = read_session_options(o);
  if (!session_options.is_ok()) return usage_error(session_options.status().message());
  Result<int64_t> clients = o.get_int("--clients", 8, 1, 256);
  if (!clients.is_ok()) return usage_error(clients.status().message());
  Result<int64_t> runs = o.get_int("--runs", 1000, 1, 100000000);
  if (!runs.is_ok()) return usage_error(runs.status().message());
  Result<int64_t> warmup = o.get_int("--warmup", 20, 0, 1000000);
  if (!warmup.is_ok()) return usage_error(warmup.status().message());
  Result<int64_t> max_growth = o.get_int("--max-growth-mib", 8, 0, 1 << 20);
  if (!max_growth.is_ok()) return usage_error(max_growth.status().message());
#if !WISP_HAS_THREADS
  if (*clients > 1) return usage_error("this build has no threads: use --clients 1");
#endif

  const double start_mib = resident_mib();
  auto session = Session::load_file(path, *session_options);
  if (!session.is_ok()) return report_error(session.status());
  Result<NamedTensors> feeds = make_feeds(o, (*session)->inputs(), session_options->limits);
  if (!feeds.is_ok()) return report_error(feeds.status());
  Result<NamedTensors> reference = (*session)->run(*feeds);
  if (!reference.is_ok()) return report_error(reference.status());

  // The warm-up runs with as many clients as the measured phase: memory that grows with
  // concurrency (buffers of runs in flight, per-thread scratch) is reached before the baseline.
  // The same client threads run both phases (a barrier in between), so memory that comes with
  // a new thread (its stack, a sanitizer's per-thread state: ~1 MiB each under TSan) is not
  // counted as growth.
  StressResult warm, result;
  double warm_mib = 0, t0 = 0;
#if WISP_HAS_THREADS
  std::barrier phase(*clients + 1);
  std::vector<std::thread> threads;
  for (int64_t c = 0; c < *clients; ++c) {
    threads.emplace_back([&] {
      client(**session, *feeds, *reference, *warmup, warm);
      phase.arrive_and_wait();  // warm-up done: the main thread reads memory
      phase.arrive_and_wait();  // measured phase starts
      client(**session, *feeds, *reference, *runs, result);
    });
  }
  phase.arrive_and_wait();
  warm_mib = resident_mib();
  t0 = now_ms();
  phase.arrive_and_wait();
  for (std::thread& t : threads) t.join();
#else
  client(**session, *feeds, *reference, *warmup, warm);
  warm_mib = resident_mib();
  t0 = now_ms();
  client(**session, *feeds, *reference, *runs, result);
#endif
  const double seconds = (now_ms() - t0) / 1000.0;
  const double end_mib = resident_mib();

  const int64_t problems = warm.mismatches + warm.errors + result.mismatches + result.errors;
  std::printf("stress: %lld clients x %lld runs = %lld runs in %.2f s, %lld mismatches, %lld errors\n",
              (long long)*clients, (long long)*runs, (long long)result.runs.load(), seconds,
              (long long)(warm.mismatches + result.mismatches), (long long)(warm.errors + result.errors));
  if (problems) {
    std::printf("first problem: %s\n", (warm.first_problem.empty() ? result.first_problem : warm.first_problem).c_str());
  }
  bool grew = false;
  if (start_mib >= 0) {
    std::printf("resident memory: start %.1f MiB, after %lld warm-up runs %.1f MiB, end %.1f MiB\n", start_mib,
                (long long)*warmup, warm_mib, end_mib);
    grew = end_mib - warm_mib > double(*max_growth);
    if (grew) std::printf("resident memory grew by %.1f MiB after warm-up (limit %lld)\n", end_mib - warm_mib,
                          (long long)*max_growth);
  } else {
    std::printf("resident memory: not available on this platform\n");
  }
  return problems || grew ? kExitFailure : kExitOk;
}

}  // namespace wisp::cli
