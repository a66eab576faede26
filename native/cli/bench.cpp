// `wisp bench MODEL`: load time and min/median/max of repeated runs on the same inputs;
// with --profile also time per op type, the slowest nodes (subgraph nodes included, see
// profile_report.h) and allocation time.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "native/cli/commands.h"
#include "native/cli/inputs.h"
#include "native/cli/profile_report.h"

namespace wisp::cli {

int bench_command(const Args& args) {
  Options o("wisp bench MODEL [--runs N] [--warmup N] [--threads N] [--profile [--top N]] [input options]",
            "Times repeated runs of MODEL on the same inputs (by default random ones).");
  add_input_options(o);
  add_session_options(o);
  o.value("--runs", "N", "timed runs (default 10)");
  o.value("--warmup", "N", "untimed runs first (default 1)");
  o.flag("--json", "print one JSON object instead of text");
  o.flag("--profile",
         "also time every node, inside If/Loop/Scan bodies too (named like If_0/then/Conv_3): per op type, "
         "the slowest nodes, allocation time");
  o.value("--top", "N", "nodes listed by --profile (default 15)");
  if (int rc = parse_command_line(o, args, 1, "MODEL"); rc != kContinue) return rc;
  const std::string& path = o.positional()[0];
  Result<SessionOptions> session_options = read_session_options(o);
  if (!session_options.is_ok()) return usage_error(session_options.status().message());
  Result<int64_t> runs = o.get_int("--runs", 10, 1, 1000000);
  if (!runs.is_ok()) return usage_error(runs.status().message());
  Result<int64_t> warmup = o.get_int("--warmup", 1, 0, 1000000);
  if (!warmup.is_ok()) return usage_error(warmup.status().message());
  Result<int64_t> top = o.get_int("--top", 15, 1, 1000000);
  if (!top.is_ok()) return usage_error(top.status().message());
  const bool profiling = o.has("--profile");

  double t0 = now_ms();
  auto session = Session::load_file(path, *session_options);
  if (!session.is_ok()) return report_error(session.status());
  double load_ms = now_ms() - t0;

  Result<NamedTensors> feeds = make_feeds(o, (*session)->inputs(), session_options->limits);
  if (!feeds.is_ok()) return report_error(feeds.status());

  // Profiled runs time every node, which costs a little: the run times then include it.
  std::vector<double> times;
  std::vector<RunProfile> profiles;
  for (int64_t i = 0; i < *warmup + *runs; ++i) {
    RunProfile profile;
    t0 = now_ms();
    Result<NamedTensors> results = (*session)->run(*feeds, profiling ? &profile : nullptr);
    double ms = now_ms() - t0;
    if (!results.is_ok()) return report_error(results.status());
    if (i >= *warmup) {
      times.push_back(ms);
      if (profiling) profiles.push_back(std::move(profile));
    }
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  double sum = 0;
  for (double t : times) sum += t;
  int threads = (*session)->threads().num_threads();

  if (o.has("--json")) {
    std::printf("{\"model\":%s,\"threads\":%d,\"load_ms\":%s,\"runs\":%zu,\"warmup\":%lld,\"min_ms\":%s,"
                "\"median_ms\":%s,\"mean_ms\":%s,\"max_ms\":%s%s}\n",
                json_string(path).c_str(), threads, json_number(load_ms).c_str(), n, (long long)*warmup,
                json_number(times.front()).c_str(), json_number(median).c_str(), json_number(sum / double(n)).c_str(),
                json_number(times.back()).c_str(),
                profiling ? (",\"profile\":" + profile_json(profiles, int(*top))).c_str() : "");
  } else {
    std::printf("model: %s\nthreads: %d\nload: %.2f ms\nruns: %zu (after %lld warmup)\n", path.c_str(), threads,
                load_ms, n, (long long)*warmup);
    std::printf("run: min %.3f ms, median %.3f ms, mean %.3f ms, max %.3f ms\n", times.front(), median,
                sum / double(n), times.back());
    if (profiling) print_profile(profiles, int(*top));
  }
  return kExitOk;
}

}  // namespace wisp::cli
