#include "verify/structure_test_checks.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "verify/structure_test_report.hpp"

using namespace distill;
using namespace distill::verify;
using image::FileType;

namespace {

image::FileEntry make(std::string path, FileType type, uint32_t mode, std::string content = {},
                      int64_t uid = 0) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = mode;
  e.uid = uid;
  e.gid = uid;
  if (type == FileType::kRegular) {
    e.size = static_cast<int64_t>(content.size());
    e.content = std::move(content);
  }
  return e;
}

image::FileEntry link(std::string path, std::string target) {
  image::FileEntry e = make(std::move(path), FileType::kSymlink, 0777);
  e.link_target = std::move(target);
  return e;
}

// A small distroless-like filesystem, built in memory.
image::RootfsView filesystem() {
  image::RootfsView v;
  std::vector<image::FileEntry> layer = {
      make("etc", FileType::kDirectory, 0755),
      make("etc/passwd", FileType::kRegular, 0644, "root:x:0:0:root:/root:/sbin/nologin\n"),
      link("etc/os-release", "../usr/lib/os-release"),
      make("usr/lib/os-release", FileType::kRegular, 0644, "ID=debian\nVERSION_ID=\"12\"\n"),
      make("usr/bin/tool", FileType::kRegular, 0750,
           "\x7f"
           "ELF"),
      make("usr/bin/suid", FileType::kRegular, 04755, "x"),
      make("tmp", FileType::kDirectory, 01777),
      make("home/nonroot", FileType::kDirectory, 0700, {}, 65532),
      make("usr/share/doc/libc6", FileType::kDirectory, 0755),
      make("usr/share/doc/evil", FileType::kDirectory, 0755),
      make("usr/share/doc/libc6/copyright", FileType::kRegular, 0644, "GPL-2\n"),
      make("usr/share/doc/evil/copyright", FileType::kRegular, 0644, "License: AGPL-3\n"),
  };
  EXPECT_TRUE(v.apply_layer(std::move(layer)).ok());
  return v;
}

class FakeExecutor : public CommandExecutor {
 public:
  std::vector<std::vector<std::string>> argvs;
  std::vector<std::vector<std::string>> envs;
  int tests = 0;
  core::Status begin_test() override {
    ++tests;
    return core::Status::Ok();
  }
  core::Result<core::ProcessResult> run(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env) override {
    argvs.push_back(argv);
    envs.push_back(env);
    if (argv[0] == "/bin/fail") return core::ProcessResult{3, "", "boom\n"};
    return core::ProcessResult{0, "Python 3.11.2\n", ""};
  }
};

class ChecksTest : public ::testing::Test {
 protected:
  std::vector<TestResult> run(const std::string& yaml) {
    auto f = parse_structure_test(yaml, "t.yaml");
    EXPECT_TRUE(f.ok()) << f.error().message();
    if (!f.ok()) return {};
    ImageUnderTest img;
    img.fs = &fs_;
    img.config.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "CONF_DIR=/etc"};
    img.config.entrypoint = {"/usr/bin/python3"};
    img.config.user = "65532";
    img.config.working_dir = "/app";
    img.config.exposed_ports = {"8080/tcp"};
    img.config.labels = {{"org.example.version", "1.2.3"}};
    img.volumes = {"/data"};
    return run_structure_tests(*f, img, exec_);
  }
  static std::string errors(const TestResult& r) {
    std::string s;
    for (const auto& e : r.errors) s += e + "\n";
    return s;
  }

  image::RootfsView fs_ = filesystem();
  FakeExecutor exec_;
};

TEST_F(ChecksTest, FileExistence) {
  auto r = run(R"(schemaVersion: 2.0.0
fileExistenceTests:
  - {name: passwd, path: /etc/passwd, permissions: -rw-r--r--, uid: 0, gid: 0}
  - {name: link, path: /etc/os-release, permissions: Lrwxrwxrwx}
  - {name: suid, path: /usr/bin/suid, permissions: urwxr-xr-x, isExecutableBy: other}
  - {name: sticky, path: /tmp, permissions: dtrwxrwxrwx}
  - {name: no shell, path: /bin/sh, shouldExist: false}
  - {name: home, path: /home/nonroot, uid: 65532, permissions: drwx------}
  - {name: wrong mode, path: /etc/passwd, permissions: -rwxr-xr-x}
  - {name: wrong owner, path: /home/nonroot, uid: 0, gid: 1}
  - {name: not exec, path: /usr/bin/tool, isExecutableBy: other}
  - {name: missing, path: /bin/sh}
  - {name: present, path: /etc/passwd, shouldExist: false}
  - {name: root, path: /, permissions: drwxr-xr-x, uid: 0}
  - {name: trailing slash, path: /etc/, permissions: drwxr-xr-x}
  - {name: trailing slash on a link is the link, path: /etc/os-release/, permissions: Lrwxrwxrwx}
  - {name: dots, path: /etc/../etc/./passwd}
  - {name: env, path: $CONF_DIR/passwd}
)");
  ASSERT_EQ(r.size(), 16u);
  for (size_t i = 11; i < 16; ++i) EXPECT_TRUE(r[i].passed) << r[i].name << ": " << errors(r[i]);
  for (size_t i = 0; i < 6; ++i) EXPECT_TRUE(r[i].passed) << r[i].name << ": " << errors(r[i]);
  for (size_t i = 6; i < 11; ++i) EXPECT_FALSE(r[i].passed) << r[i].name;
  EXPECT_EQ(r[6].errors.at(0),
            "/etc/passwd has incorrect permissions. Expected: -rwxr-xr-x, Actual: -rw-r--r--");
  EXPECT_EQ(r[7].errors.size(), 2u);
  EXPECT_EQ(r[7].errors.at(0),
            "/home/nonroot has incorrect user ownership. Expected: 0, Actual: 65532");
  EXPECT_EQ(r[8].errors.at(0),
            "/usr/bin/tool has incorrect executable bit. Expected to be executable by other, "
            "Actual: -rwxr-x---");
  EXPECT_EQ(r[9].errors.at(0),
            "Error examining file in container: lstat /bin/sh: no such file or directory");
  EXPECT_EQ(r[10].errors.at(0), "File /etc/passwd should not exist but does");
  EXPECT_EQ(r[0].kind, "File Existence Test");
  EXPECT_EQ(r[0].name, "File Existence Test: passwd");
  EXPECT_EQ(r[0].line, 3);
}

TEST_F(ChecksTest, FileContentFollowsSymlinks) {
  auto r = run(R"(schemaVersion: 2.0.0
fileContentTests:
  - {name: os, path: /etc/os-release, expectedContents: ['(?m)^ID=debian$', 'VERSION_ID="12"'], excludedContents: [ubuntu]}
  - {name: icase, path: /etc/os-release, expectedContents: ['(?i)id=DEBIAN']}
  - {name: bad, path: /etc/os-release, expectedContents: [alpine], excludedContents: [debian]}
  - {name: gone, path: /etc/shadow, expectedContents: [x]}
)");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].passed) << errors(r[0]);
  EXPECT_TRUE(r[1].passed) << errors(r[1]);
  ASSERT_EQ(r[2].errors.size(), 2u);
  EXPECT_EQ(r[2].errors[0],
            "Expected string 'alpine' not found in file content string "
            "'ID=debian\nVERSION_ID=\"12\"\n'");
  EXPECT_TRUE(r[2].errors[1].starts_with("Excluded string 'debian' found in file content string"));
  EXPECT_FALSE(r[3].passed);
  EXPECT_TRUE(r[3].errors[0].starts_with("Failed to open /etc/shadow. Error: ")) << errors(r[3]);
}

TEST_F(ChecksTest, MetadataPassesAndFails) {
  auto ok = run(R"(schemaVersion: 2.0.0
metadataTest:
  envVars: [{key: PATH, value: '/usr/bin', isRegex: true}, {key: LANG, value: C.UTF-8}]
  labels: [{key: org.example.version, value: '^1\.', isRegex: true}]
  exposedPorts: ["8080"]
  unexposedPorts: ["22"]
  volumes: [/data]
  unmountedVolumes: [/var]
  unboundEnvVars: [{key: DEBUG}]
  entrypoint: [/usr/bin/python3]
  cmd: []
  workdir: /app
  user: "65532"
)");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_TRUE(ok[0].passed) << errors(ok[0]);
  auto bad = run(R"(schemaVersion: 2.0.0
metadataTest:
  envVars: [{key: LANG, value: fr}, {key: HOME, value: /root}]
  labels: [{key: org.example.version, value: '2.0'}]
  exposedPorts: ["9090"]
  unexposedPorts: ["8080"]
  volumes: [/srv]
  unmountedVolumes: [/data]
  entrypoint: [/bin/sh]
  cmd: [x]
  workdir: /
  user: root
)");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_FALSE(bad[0].passed);
  std::string e = errors(bad[0]);
  for (const char* want :
       {"env var LANG value C.UTF-8 does not match expected value: fr",
        "variable HOME not found in image env",
        "label org.example.version value 1.2.3 does not match expected value: 2.0",
        "Port 9090 not found in config", "Port 8080 should not be exposed",
        "Volume /srv not found in config", "Volume /data should not be mounted",
        "Image entrypoint [/usr/bin/python3] does not match expected entrypoint: [/bin/sh]",
        "Image Cmd [] does not match expected Cmd: [x]",
        "Image workdir /app does not match config workdir: /",
        "Image user 65532 does not match config user: root"})
    EXPECT_NE(e.find(want), std::string::npos) << want << "\nin:\n" << e;
}

TEST_F(ChecksTest, LicensesFlagBannedOnes) {
  auto r = run("schemaVersion: 2.0.0\nlicenseTests:\n  - debian: true\n    files: [/etc/passwd]\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].passed);
  ASSERT_EQ(r[0].errors.size(), 1u) << errors(r[0]);
  EXPECT_EQ(r[0].errors[0],
            "Invalid license for /usr/share/doc/evil/copyright, license contains AGPL");
  EXPECT_EQ(r[0].name, "License Test");
}

TEST_F(ChecksTest, CommandsRunThroughTheExecutor) {
  auto r = run(R"(schemaVersion: 2.0.0
globalEnvVars: [{key: G, value: "1"}]
commandTests:
  - name: version
    setup: [[/bin/prepare]]
    command: /usr/bin/python3
    args: [--version]
    envVars: [{key: T, value: "2"}]
    expectedOutput: ['Python 3\.\d+']
    excludedError: [Traceback]
  - name: fails
    command: /bin/fail
    expectedOutput: [hello]
    expectedError: [nothing]
    excludedError: [boom]
  - name: setup fails
    setup: [[/bin/fail]]
    command: /usr/bin/python3
)");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].passed) << errors(r[0]);
  EXPECT_EQ(exec_.argvs[0], std::vector<std::string>{"/bin/prepare"});
  EXPECT_EQ(exec_.argvs[1], (std::vector<std::string>{"/usr/bin/python3", "--version"}));
  EXPECT_EQ(exec_.envs[1], (std::vector<std::string>{"G=1", "T=2"}));
  EXPECT_EQ(r[0].name, "Command Test: version");
  EXPECT_EQ(exec_.tests, 3);
  std::string e = errors(r[1]);
  EXPECT_NE(e.find("Expected string 'hello' not found in output ''"), std::string::npos) << e;
  EXPECT_NE(e.find("Expected string 'nothing' not found in error 'boom\n'"), std::string::npos);
  EXPECT_NE(e.find("Excluded string 'boom' found in error"), std::string::npos);
  EXPECT_NE(e.find("Test 'fails' exited with incorrect error code. Expected: 0, Actual: 3"),
            std::string::npos);
  // Upstream does not check a setup command's exit code: the test goes on.
  EXPECT_TRUE(r[2].passed) << errors(r[2]);
  EXPECT_EQ(exec_.argvs.size(), 5u);
}

TEST_F(ChecksTest, ReportsCountAndShowFailures) {
  auto r = run(R"(schemaVersion: 2.0.0
fileExistenceTests:
  - {name: ok, path: /etc/passwd}
  - {name: "bad <one>", path: /nope}
)");
  TestSummary s = summarize(r);
  EXPECT_EQ(s.passed, 1u);
  EXPECT_EQ(s.failed, 1u);
  std::string text = text_report({"t.yaml"}, r);
  EXPECT_NE(text.find("\n" + std::string(31, '=') + "\n====== Test file: t.yaml ======\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("=== RUN: File Existence Test: ok\n--- PASS\nduration: "), std::string::npos);
  EXPECT_NE(text.find("--- FAIL"), std::string::npos);
  EXPECT_NE(text.find("Error: Error examining file in container: lstat /nope"), std::string::npos);
  EXPECT_NE(text.find("Passes:      1\nFailures:    1\nDuration:    "), std::string::npos);
  EXPECT_NE(text.find("Total tests: 2\n\nFAIL\n"), std::string::npos);
  auto j = nlohmann::json::parse(json_report(r));
  EXPECT_EQ(j["Pass"], 1);
  EXPECT_EQ(j["Fail"], 1);
  EXPECT_EQ(j["Total"], 2);
  EXPECT_TRUE(j["Duration"].is_number_integer());
  EXPECT_EQ(j["Results"][1]["Name"], "File Existence Test: bad <one>");
  EXPECT_EQ(j["Results"][1]["Pass"], false);
  EXPECT_FALSE(j["Results"][0].contains("Errors")) << "empty fields are left out, as upstream";
  EXPECT_FALSE(j["Results"][0].contains("Stdout"));
  std::string xml = junit_report(r, "");
  EXPECT_TRUE(
      xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><testsuites failures=\"1\" "
                      "tests=\"2\" time=\""))
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"container-structure-test.test\"><testcase "
                     "name=\"File Existence Test: ok\" time=\""),
            std::string::npos);
  EXPECT_NE(xml.find("name=\"File Existence Test: bad &lt;one&gt;\""), std::string::npos);
  EXPECT_NE(xml.find("<failure>Error examining file in container: lstat /nope: no such file or "
                     "directory</failure><system-out></system-out><system-err></system-err>"),
            std::string::npos);
  EXPECT_NE(junit_report(r, "mine").find("<testsuite name=\"mine\">"), std::string::npos);
  std::string none = text_report({"t.yaml"}, {});
  EXPECT_NE(none.find("No tests run! Check config file format."), std::string::npos);
}

TEST(GoDuration, MatchesGo) {
  EXPECT_EQ(go_duration(0), "0s");
  EXPECT_EQ(go_duration(850e-9), "850ns");
  EXPECT_EQ(go_duration(1.5e-6), "1.5\xc2\xb5s");
  EXPECT_EQ(go_duration(0.01203), "12.03ms");
  EXPECT_EQ(go_duration(2.5), "2.5s");
  EXPECT_EQ(go_duration(60.5), "1m0.5s");
  EXPECT_EQ(go_duration(3600), "1h0m0s");
}

TEST(GoExpand, MatchesOsExpand) {
  std::map<std::string, std::string> env = {{"HOME", "/root"}, {"A", "x"}};
  EXPECT_EQ(go_expand("$HOME/bin:${A}y", env), "/root/bin:xy");
  EXPECT_EQ(go_expand("$UNSET-", env), "-");
  EXPECT_EQ(go_expand("cost: $", env), "cost: $");
  EXPECT_EQ(go_expand("a$ b", env), "a$ b");
  EXPECT_EQ(go_expand("${}x", env), "x");
  EXPECT_EQ(go_expand("$$", env), "");
  EXPECT_EQ(go_expand("no dollars", env), "no dollars");
}

TEST(GoFileMode, MatchesGo) {
  EXPECT_EQ(go_file_mode(FileType::kRegular, 0644), "-rw-r--r--");
  EXPECT_EQ(go_file_mode(FileType::kDirectory, 0755), "drwxr-xr-x");
  EXPECT_EQ(go_file_mode(FileType::kSymlink, 0777), "Lrwxrwxrwx");
  EXPECT_EQ(go_file_mode(FileType::kRegular, 04755), "urwxr-xr-x");
  EXPECT_EQ(go_file_mode(FileType::kRegular, 02755), "grwxr-xr-x");
  EXPECT_EQ(go_file_mode(FileType::kDirectory, 01777), "dtrwxrwxrwx");
  EXPECT_EQ(go_file_mode(FileType::kCharDevice, 0666), "Dcrw-rw-rw-");
  EXPECT_EQ(go_file_mode(FileType::kFifo, 0600), "prw-------");
}

TEST(ConfigVolumes, ReadsTheKeys) {
  EXPECT_EQ(config_volumes(R"({"config":{"Volumes":{"/data":{},"/var/log":{}}}})"),
            (std::vector<std::string>{"/data", "/var/log"}));
  EXPECT_TRUE(config_volumes(R"({"config":{}})").empty());
  EXPECT_TRUE(config_volumes("not json").empty());
}

}  // namespace
