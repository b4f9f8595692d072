// The output layer (base/output_file.h), running tools without a shell
// (base/spawn.h), shell quoting (base/shell_quote.h) and the thread pool.
// References: stat(2) of the targets before and after, bash itself reading the
// quoted words back, and the bytes a spawned `printf` echoes.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/output_file.h"
#include "base/shell_quote.h"
#include "base/spawn.h"
#include "base/thread_pool.h"

namespace keymac {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string t = ::testing::TempDir() + "keymac-base-XXXXXX";
    if (!::mkdtemp(t.data())) std::abort();
    dir_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string operator/(const std::string& n) const { return dir_ + "/" + n; }
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    DIR* d = ::opendir(dir_.c_str());
    while (auto* e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") v.push_back(e->d_name);
    ::closedir(d);
    std::sort(v.begin(), v.end());
    return v;
  }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
};

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OutputFile, RegularFileIsReplacedAtomicallyAndNothingElseIsLeft) {
  TempDir d;
  write_file_atomic(d / "a.json", "old\n");
  write_file_atomic(d / "a.json", "new\n");
  EXPECT_EQ(slurp(d / "a.json"), "new\n");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"a.json"});
}

TEST(OutputFile, AnAbandonedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  TempDir d;
  write_file_atomic(d / "a", "old");
  {
    OutputFile f(d / "a");
    f.write("half");
  }
  EXPECT_EQ(slurp(d / "a"), "old");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"a"});
}

TEST(OutputFile, SecretFilesAreCreatedOwnerOnly) {
  TempDir d;
  ::umask(022);
  write_file_atomic(d / "pub", "x");
  write_file_atomic(d / "key", "x", FileMode::kSecret);
  struct stat st;
  ASSERT_EQ(::stat((d / "key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((d / "pub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // An existing world-readable file that is rewritten as a secret becomes 0600.
  write_file_atomic(d / "pub", "k", FileMode::kSecret);
  ASSERT_EQ(::stat((d / "pub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(OutputFile, DevNullIsWrittenThroughAndNeverReplaced) {
  struct stat before, after;
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  write_file_atomic("/dev/null", "data\n");
  ASSERT_EQ(::stat("/dev/null", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_rdev, after.st_rdev);
}

TEST(OutputFile, DevFullGivesOneLineNamingTheFile) {
  const std::string e = error_of([] { write_file_atomic("/dev/full", std::string(100000, 'x')); });
  EXPECT_EQ(e, "/dev/full: write failed: No space left on device");
}

TEST(OutputFile, AStreamReportsTheFullDiskAtTheFailingWrite) {
  OutputFile f("/dev/full");
  const std::string e = error_of([&] {
    for (int i = 0; i < 100; ++i) f.write(std::string(4096, 'v'));
  });
  EXPECT_EQ(e, "/dev/full: write failed: No space left on device");
}

TEST(OutputFile, ProcFdPathsAreAppendedToAndTheFileBehindThemIsNotReplaced) {
  TempDir d;
  write_file_atomic(d / "stdout.txt", "before\n");
  struct stat before, after;
  ASSERT_EQ(::stat((d / "stdout.txt").c_str(), &before), 0);
  const int fd = ::open((d / "stdout.txt").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  write_file_atomic("/proc/self/fd/" + std::to_string(fd), "after\n");
  ::close(fd);
  ASSERT_EQ(::stat((d / "stdout.txt").c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(slurp(d / "stdout.txt"), "before\nafter\n");
}

TEST(OutputFile, AFifoIsStreamedToNotReplaced) {
  TempDir d;
  ASSERT_EQ(::mkfifo((d / "f").c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(d / "f"); });
  write_file_atomic(d / "f", "through the fifo\n");
  reader.join();
  EXPECT_EQ(got, "through the fifo\n");
  struct stat st;
  ASSERT_EQ(::lstat((d / "f").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(OutputFile, ADirectoryIsRefusedWithOneLine) {
  TempDir d;
  EXPECT_EQ(error_of([&] { write_file_atomic(d.path(), "x"); }), d.path() + ": is a directory; give a file name");
}

TEST(OutputFile, ASymlinkToAFileKeepsTheLinkAndRewritesTheTarget) {
  TempDir d;
  write_file_atomic(d / "real", "old");
  ASSERT_EQ(::symlink("real", (d / "link").c_str()), 0);
  write_file_atomic(d / "link", "new");
  struct stat st;
  ASSERT_EQ(::lstat((d / "link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(slurp(d / "real"), "new");
  EXPECT_EQ(d.entries(), (std::vector<std::string>{"link", "real"}));
}

TEST(OutputFile, ADanglingSymlinkIsRefusedAndItsTargetNotCreated) {
  TempDir d;
  ASSERT_EQ(::symlink((d / "elsewhere").c_str(), (d / "link").c_str()), 0);
  EXPECT_NE(error_of([&] { write_file_atomic(d / "link", "secret"); }), "");
  EXPECT_EQ(::access((d / "elsewhere").c_str(), F_OK), -1);
}

TEST(OutputFile, APlantedSymlinkAtTheOldGuessableTempNameReceivesNothing) {
  // The old writer opened PATH.tmp.PID with O_CREAT|O_TRUNC and followed links.
  TempDir d;
  write_file_atomic(d / "victim", "untouched");
  const std::string planted = d / ("key.txt.tmp." + std::to_string(::getpid()));
  ASSERT_EQ(::symlink((d / "victim").c_str(), planted.c_str()), 0);
  write_file_atomic(d / "key.txt", "KEYBITS", FileMode::kSecret);
  EXPECT_EQ(slurp(d / "victim"), "untouched");
  EXPECT_EQ(slurp(d / "key.txt"), "KEYBITS");
}

TEST(OutputFile, AReadOnlyDirectoryGivesOneLineAndNoFile) {
  TempDir d;
  ASSERT_EQ(::mkdir((d / "ro").c_str(), 0555), 0);
  const std::string expected = d / "ro/x" + ": cannot write: Permission denied";
  if (::geteuid() != 0) {
    EXPECT_EQ(error_of([&] { write_file_atomic(d / "ro/x", "x"); }), expected);
    return;
  }
  // Root ignores directory permissions: the check runs as the unprivileged
  // user nobody (65534) in a child process.
  ASSERT_EQ(::chmod((d / "").c_str(), 0755), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    const bool ok = error_of([&] { write_file_atomic(d / "ro/x", "x"); }) == expected;
    ::_exit(ok && ::access((d / "ro/x").c_str(), F_OK) != 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

TEST(Spawn, ArgumentsReachTheToolVerbatimAndNoShellRunsThem) {
  TempDir d;
  const std::string hostile = "a'b $(touch " + (d / "pwned") + "); `touch " + (d / "pwned2") + "` \n\xc3\xa9";
  SpawnOptions o;
  o.stdout_path = d / "out";
  EXPECT_EQ(run_tool({"printf", "%s", hostile}, o), 0);
  EXPECT_EQ(slurp(d / "out"), hostile);
  EXPECT_EQ(::access((d / "pwned").c_str(), F_OK), -1);
  EXPECT_EQ(::access((d / "pwned2").c_str(), F_OK), -1);
}

TEST(Spawn, ExitCodesAreReturned) {
  EXPECT_EQ(run_tool({"false"}), 1);
  EXPECT_EQ(run_tool({"true"}), 0);
}

TEST(Spawn, AMissingToolIsOneLineWithTheHint) {
  SpawnOptions o;
  o.missing_hint = "Debian: apt-get install nothing";
  EXPECT_EQ(error_of([&] { run_tool({"keymac-no-such-tool"}, o); }),
            "keymac-no-such-tool: not found on PATH (Debian: apt-get install nothing)");
}

TEST(ShellQuote, BashReadsEveryQuotedWordBackExactly) {
  TempDir d;
  const std::vector<std::string> words = {"plain", "with space", "it's", "$(touch " + (d / "pwned") + ")",
                                          "a;b|c&d", "`x`", "new\nline", "\xc3\xa9t\xc3\xa9", "", "-n", "*", "\\"};
  std::string script;
  for (const auto& w : words) script += "printf '%s\\0' " + shell_quote(w) + "\n";
  write_file_atomic(d / "s.sh", script);
  SpawnOptions o;
  o.stdout_path = d / "out";
  ASSERT_EQ(run_tool({"bash", d / "s.sh"}, o), 0);
  std::string expect;
  for (const auto& w : words) expect += w + std::string(1, '\0');
  EXPECT_EQ(slurp(d / "out"), expect);
  EXPECT_EQ(::access((d / "pwned").c_str(), F_OK), -1);
}

TEST(ShellQuote, SafeNamesAreAConservativeSet) {
  EXPECT_TRUE(is_safe_name("fig3-sweep_v1.2"));
  for (const char* bad : {"", "-rf", ".hidden", "a b", "a\nb", "a'b", "a$b", "a/b", "\xc3\xa9"})
    EXPECT_FALSE(is_safe_name(bad)) << bad;
  EXPECT_NE(error_of([] { check_script_text("--out", "a\nb"); }), "");
  EXPECT_EQ(error_of([] { check_script_text("--out", "a b'$(x)\xc3\xa9"); }), "");
}

TEST(ThreadPool, EveryItemRunsOnceWhateverTheThreadCount) {
  for (int n : {0, 1, 3, 64}) {
    std::atomic<int> next{0}, sum{0};
    run_on_threads(n, [&] {
      for (int i; (i = next++) < 1000;) sum += i;
    });
    EXPECT_EQ(sum.load(), 999 * 1000 / 2) << n;
  }
}

}  // namespace
}  // namespace keymac
