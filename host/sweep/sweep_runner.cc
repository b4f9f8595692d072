#include "host/sweep/sweep_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "base/temp_dir.h"
#include "base/thread_pool.h"
#include "host/runtime/progress.h"
#include "host/sweep/results_file.h"
#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

// Runs one point as `keymac run ... --json` in a child process (SystemC keeps
// one kernel per process and is not thread-safe). Returns the report; an
// interrupted child gives a report with "complete": false.
nlohmann::json run_in_child(const std::string& exe, const RunConfig& cfg, const std::atomic<bool>* stop) {
  const TempDir tmp("keymac-sweep");  // removed on every return and throw (base/temp_dir.h)
  const std::string json_path = tmp.file("report.json"), err_path = tmp.file("stderr.txt");
  std::vector<std::string> args = point_run_args(cfg);
  args.insert(args.begin(), exe);
  args.insert(args.end(), {"--json", json_path});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (err_fd < 0 || null_fd < 0) {
    if (err_fd >= 0) ::close(err_fd);
    if (null_fd >= 0) ::close(null_fd);
    throw Error(err_path + ": cannot create");
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {  // child: only async-signal-safe calls until exec
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed sweep takes its children with it
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 1);
    ::dup2(err_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(err_fd);
  ::close(null_fd);
  if (pid < 0) {
    throw Error("cannot fork a child process for a systemc point");
  }
  int status = 0;
  bool signalled = false;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (stop && stop->load() && !signalled) {
      ::kill(pid, SIGTERM);
      signalled = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (code == 0 || code == 130) {
    nlohmann::json rep;
    try {
      rep = nlohmann::json::parse(read_text_file(json_path, "child report"));
    } catch (const std::exception&) {
      rep = {{"complete", false}};
    }
    if (code == 130) rep["complete"] = false;
    return rep;
  }
  std::string err;
  try {
    err = read_text_file(err_path, "child stderr");
  } catch (const Error&) {
  }
  if (stop && stop->load()) return {{"complete", false}};
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  if (auto nl = err.rfind('\n'); nl != std::string::npos) err = err.substr(nl + 1);
  if (err.rfind("keymac: ", 0) == 0) err = err.substr(8);
  throw Error(err.empty() ? "child `keymac run` exited with code " + std::to_string(code) : err);
}

int64_t point_work(const nlohmann::json& p) {
  const int64_t limit = p.at("limit").get<int64_t>();
  return (limit < 0 ? 10000 : limit) * (4 + p.at("wrong_keys").get<int64_t>());
}

}  // namespace

void parse_shard(const std::string& text, int& shard, int& shards) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw 0;
    size_t a = 0, b = 0;
    shard = std::stoi(text.substr(0, slash), &a);
    shards = std::stoi(text.substr(slash + 1), &b);
    if (a != slash || b != text.size() - slash - 1 || shards < 1 || shard < 1 || shard > shards) throw 0;
  } catch (...) {
    throw Error("--shard: '" + text + "' is not I/N with 1 <= I <= N");
  }
}

SweepSummary run_sweep(const SweepSpec& spec, const SweepRunOptions& opt, const std::atomic<bool>* stop) {
  if (opt.jobs < 1 || opt.jobs > 1024) throw Error("-j: must be 1..1024, not " + std::to_string(opt.jobs));
  if (opt.shard < 1 || opt.shard > opt.shards) throw Error("--shard: must be I/N with 1 <= I <= N");
  SweepSummary sum;
  ResultsWriter writer(opt.out, opt.resume, opt.overwrite);  // holds the results file's lock
  // Directories left by SIGKILLed sweeps (their pid is gone): remove them.
  if (const int stale = clean_stale_temp_dirs("keymac-sweep"))
    std::fprintf(stderr, "keymac: removed %d stale %s/keymac-sweep-* director%s of killed sweeps\n", stale,
                 temp_root().c_str(), stale == 1 ? "y" : "ies");
  std::set<std::string> have;
  if (opt.resume) {
    for (const auto& l : read_results(opt.out).lines) have.insert(l["id"].get<std::string>());
  }
  std::vector<const SweepPoint*> todo;
  int64_t work = 0;
  for (const auto& p : spec.points) {
    if (p.index % opt.shards != opt.shard - 1) continue;
    ++sum.in_shard;
    if (have.count(p.id)) {
      ++sum.skipped;
      continue;
    }
    todo.push_back(&p);
    work += point_work(p.params);
  }

  const std::string shard_text = std::to_string(opt.shard) + "/" + std::to_string(opt.shards);
  const std::string host = host_name();
  Progress bar("sweep " + std::to_string(todo.size()) + " points", work, opt.progress);
  std::mutex mu;  // bar, summary, stderr
  std::atomic<size_t> next{0};
  std::atomic<bool> fatal{false};
  std::exception_ptr fatal_error;
  auto worker = [&] {
    for (;;) {
      if ((stop && stop->load()) || fatal.load()) return;
      const size_t i = next++;
      if (i >= todo.size()) return;
      const SweepPoint& pt = *todo[i];
      const auto t0 = std::chrono::steady_clock::now();
      const std::string started = utc_now();
      nlohmann::json rep;
      try {
        RunConfig cfg = point_config(spec, pt);
        cfg.threads = opt.jobs > 1 ? 1 : 0;
        rep = cfg.backend == "systemc" ? run_in_child(opt.self_exe, cfg, stop) : run_job(cfg, stop);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mu);
        ++sum.failed;
        std::fprintf(stderr, "%skeymac: sweep point %lld (%s): %s\n", opt.progress ? "\n" : "",
                     static_cast<long long>(pt.index), pt.id.c_str(), e.what());
        continue;
      }
      if (!rep.value("complete", false)) {  // interrupted: abandon, never write a partial result
        std::lock_guard<std::mutex> lock(mu);
        sum.interrupted = true;
        continue;
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::ordered_json line;
      line["id"] = pt.id;
      line["index"] = pt.index;
      line["sweep"] = spec.name;
      line["shard"] = shard_text;
      line["params"] = pt.params;
      line["host"] = host;
      line["started_utc"] = started;
      line["elapsed_s"] = secs;
      line["report"] = std::move(rep);
      try {
        writer.append(line.dump());
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!fatal.exchange(true)) fatal_error = std::current_exception();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      ++sum.done;
      bar.add(point_work(pt.params));
    }
  };
  const int n = static_cast<int>(std::min<size_t>(static_cast<size_t>(opt.jobs), todo.size()));
  run_on_threads(n, worker);  // base/thread_pool.h
  bar.finish();
  if (fatal_error) std::rethrow_exception(fatal_error);
  if (stop && stop->load()) sum.interrupted = true;
  return sum;
}

}  // namespace keymac
