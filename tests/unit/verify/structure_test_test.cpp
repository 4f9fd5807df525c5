#include "verify/structure_test.hpp"

#include <gtest/gtest.h>

using namespace distill::verify;

namespace {

constexpr const char* kV2 = R"Y(schemaVersion: 2.0.0
globalEnvVars:
  - key: LANG
    value: C.UTF-8
fileExistenceTests:
  - name: passwd
    path: /etc/passwd
    shouldExist: true
    permissions: -rw-r--r--
    uid: 0
    gid: 0
    isExecutableBy: any
  - name: no shell
    path: /bin/sh
    shouldExist: false
fileContentTests:
  - name: os
    path: /etc/os-release
    expectedContents: ['ID=debian']
    excludedContents: ['ubuntu']
commandTests:
  - name: python
    setup: [["/usr/bin/true"]]
    teardown: [["/usr/bin/true"]]
    envVars: [{key: A, value: b}]
    command: /usr/bin/python3
    args: ["-c", "print(1)"]
    expectedOutput: ["^1$"]
    excludedOutput: ["2"]
    expectedError: []
    excludedError: ["Traceback"]
    exitCode: 0
metadataTest:
  envVars:
    - key: PATH
      value: /usr/bin
      isRegex: true
  labels: [{key: a, value: b}]
  exposedPorts: ["8080"]
  unexposedPorts: ["22"]
  volumes: []
  unmountedVolumes: ["/data"]
  entrypoint: []
  cmd: ["/app"]
  workdir: /app
  user: "65532"
licenseTests:
  - debian: true
    files: [/usr/share/doc/x/copyright]
)Y";

TEST(StructureTestParser, ReadsEveryFieldOfVersion2) {
  auto f = parse_structure_test(kV2, "t.yaml");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->schema_version, "2.0.0");
  ASSERT_EQ(f->global_env_vars.size(), 1u);
  EXPECT_EQ(f->global_env_vars[0].key, "LANG");
  ASSERT_EQ(f->file_existence.size(), 2u);
  const auto& fe = f->file_existence[0];
  EXPECT_EQ(fe.name, "passwd");
  EXPECT_EQ(fe.line, 6);
  EXPECT_EQ(fe.permissions.value_or(""), "-rw-r--r--");
  EXPECT_EQ(fe.uid.value_or(-1), 0);
  EXPECT_EQ(fe.is_executable_by.value_or(""), "any");
  EXPECT_FALSE(f->file_existence[1].should_exist);
  EXPECT_FALSE(f->file_existence[1].uid.has_value());
  ASSERT_EQ(f->file_content.size(), 1u);
  EXPECT_EQ(f->file_content[0].expected_contents, std::vector<std::string>{"ID=debian"});
  ASSERT_EQ(f->commands.size(), 1u);
  const auto& c = f->commands[0];
  EXPECT_EQ(c.command, "/usr/bin/python3");
  EXPECT_EQ(c.args, (std::vector<std::string>{"-c", "print(1)"}));
  EXPECT_EQ(c.setup, std::vector<std::vector<std::string>>{{"/usr/bin/true"}});
  EXPECT_EQ(c.env_vars.at(0).value, "b");
  EXPECT_EQ(c.excluded_error, std::vector<std::string>{"Traceback"});
  ASSERT_TRUE(f->metadata.has_value());
  const auto& m = *f->metadata;
  EXPECT_TRUE(m.env_vars.at(0).is_regex);
  EXPECT_EQ(m.labels.at(0).value, "b");
  EXPECT_EQ(m.exposed_ports, std::vector<std::string>{"8080"});
  EXPECT_TRUE(m.volumes.empty());
  EXPECT_TRUE(m.entrypoint.has_value() && m.entrypoint->empty());
  EXPECT_EQ(m.workdir, "/app");
  EXPECT_EQ(m.user, "65532");
  ASSERT_EQ(f->licenses.size(), 1u);
  EXPECT_TRUE(f->licenses[0].debian);
}

TEST(StructureTestParser, Version1CommandIsTheWholeArgv) {
  // The shape of Google distroless's own test files.
  auto f = parse_structure_test(
      "schemaVersion: \"1.0.0\"\ncommandTests:\n  - name: hello\n"
      "    command: [\"/usr/bin/python3\", \"-c\", \"print('Hello World')\"]\n"
      "    setup: [[/bin/a, x], [/bin/b]]\n    envVars: [{key: A, value: b}]\n"
      "    expectedOutput: ['Hello World']\n",
      "v1.yaml");
  ASSERT_TRUE(f.ok()) << f.error().message();
  const auto& c = f->commands.at(0);
  EXPECT_EQ(c.command, "/usr/bin/python3");
  EXPECT_EQ(c.args, (std::vector<std::string>{"-c", "print('Hello World')"}));
  EXPECT_EQ(c.setup.size(), 2u);
  auto string_command = parse_structure_test(
      "schemaVersion: 1.0.0\ncommandTests:\n  - name: x\n    command: /bin/x\n", "v1.yaml");
  ASSERT_FALSE(string_command.ok());
  EXPECT_EQ(string_command.error().where, "v1.yaml:4");
  EXPECT_NE(string_command.error().what.find("must be a list (the whole argv)"), std::string::npos);
  auto args = parse_structure_test(
      "schemaVersion: 1.0.0\ncommandTests:\n  - name: x\n    command: [/bin/x]\n    args: [y]\n",
      "v1.yaml");
  ASSERT_FALSE(args.ok());
  EXPECT_NE(args.error().what.find("'args' is not in schemaVersion 1.0.0"), std::string::npos);
}

TEST(StructureTestParser, Version1LacksTheNewerFields) {
  auto bad = parse_structure_test(
      "schemaVersion: '1.0.0'\nfileExistenceTests:\n  - name: x\n    path: /x\n    uid: 0\n",
      "v1.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where, "v1.yaml:5");
  EXPECT_NE(bad.error().what.find("'uid' is not in schemaVersion 1.0.0"), std::string::npos);
  for (const char* text : {"schemaVersion: '1.0.0'\nmetadataTest:\n  cmd: [x]\n",
                           "schemaVersion: '1.0.0'\ncontainerRunOptions:\n  user: root\n"}) {
    auto r = parse_structure_test(text, "v");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().hint, "use schemaVersion 2.0.0");
  }
  auto lic = parse_structure_test("schemaVersion: '1.0.0'\nlicenseTests:\n  - debian: true\n", "v");
  ASSERT_TRUE(lic.ok()) << lic.error().message();
  EXPECT_TRUE(lic->licenses.at(0).debian);
}

TEST(StructureTestParser, MetadataWithNothingToCheckIsNotRun) {
  auto f = parse_structure_test(
      "schemaVersion: 2.0.0\nmetadataTest:\n  exposedPorts: []\n  volumes: []\n", "t.yaml");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_FALSE(f->metadata.has_value());
  auto unbound = parse_structure_test(
      "schemaVersion: 2.0.0\nmetadataTest:\n  unboundEnvVars: [{key: DEBUG}]\n", "t.yaml");
  ASSERT_TRUE(unbound.ok()) << unbound.error().message();
  EXPECT_EQ(unbound->metadata->unbound_env_vars.at(0).key, "DEBUG");
}

TEST(StructureTestParser, RegexesGoCannotRunHereAreRefused) {
  auto f = parse_structure_test(
      "schemaVersion: 2.0.0\nfileContentTests:\n  - name: x\n    path: /x\n"
      "    expectedContents: ['\\pL+']\n",
      "t.yaml");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().where, "t.yaml:5");
  EXPECT_NE(f.error().what.find("regex '\\pL+'"), std::string::npos) << f.error().what;
  // Invalid in Go too: read, and the test fails when run, as upstream.
  EXPECT_TRUE(
      parse_structure_test("schemaVersion: 2.0.0\nfileContentTests:\n  - name: x\n    path: /x\n"
                           "    expectedContents: ['(a)\\1']\n",
                           "t.yaml")
          .ok());
}

TEST(StructureTestParser, ErrorsNameTheLine) {
  auto typo = parse_structure_test(
      "schemaVersion: 2.0.0\ncommandTests:\n  - name: x\n    command: y\n    expectedOutputs: []\n",
      "t.yaml");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().where, "t.yaml:5");
  EXPECT_NE(typo.error().hint.find("expectedOutput"), std::string::npos);
  auto version = parse_structure_test("schemaVersion: 3.0.0\n", "t.yaml");
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().what.find("unsupported schemaVersion '3.0.0'"), std::string::npos);
  EXPECT_FALSE(parse_structure_test("fileExistenceTests: []\n", "t.yaml").ok());
  auto yaml = parse_structure_test("schemaVersion: 2.0.0\nfileExistenceTests: [\n", "t.yaml");
  ASSERT_FALSE(yaml.ok());
  EXPECT_TRUE(yaml.error().where.starts_with("t.yaml:"));
  auto type = parse_structure_test(
      "schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: x\n    path: /x\n    shouldExist: "
      "maybe\n",
      "t.yaml");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().where, "t.yaml:5");
  auto no_cmd =
      parse_structure_test("schemaVersion: 2.0.0\ncommandTests:\n  - name: x\n", "t.yaml");
  ASSERT_FALSE(no_cmd.ok());
  EXPECT_NE(no_cmd.error().what.find("commandTest 'x' without 'command'"), std::string::npos);
}

}  // namespace
