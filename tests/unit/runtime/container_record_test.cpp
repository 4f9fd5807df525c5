#include "runtime/container_record.hpp"

#include <gtest/gtest.h>

using namespace distill;
using namespace distill::runtime;

TEST(ContainerName, DockersRule) {
  for (const char* ok : {"web", "a", "Web_1.2-x", "0db", "x-"})
    EXPECT_TRUE(validate_container_name(ok).ok()) << ok;
  for (const char* bad : {"", "-x", "_x", ".x", "a/b", "a b", "..", "a\nb", "été"})
    EXPECT_FALSE(validate_container_name(bad).ok()) << bad;
  EXPECT_FALSE(validate_container_name(std::string(129, 'a')).ok());
  EXPECT_TRUE(validate_container_name(std::string(128, 'a')).ok());
  auto e = validate_container_name("a/b").error();
  EXPECT_EQ(e.where, "--name a/b");
  EXPECT_NE(e.hint.find("letters, digits"), std::string::npos);
}

TEST(ContainerName, GeneratedNamesAreValid) {
  std::string name = generated_container_name(std::string("\x01\xab\xff\x00\x10\x7f", 6));
  EXPECT_EQ(name, "distill-01abff00107f");
  EXPECT_TRUE(validate_container_name(name).ok());
}

TEST(ContainerRecordJson, RoundTrips) {
  ContainerRecord r{"web",      "img:latest", "sha256:abc",   {"/app", "--port", "80"},
                    1700000000, 4242,         Phase::kRunning};
  auto back = parse_record(record_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->name, "web");
  EXPECT_EQ(back->image, "img:latest");
  EXPECT_EQ(back->digest, "sha256:abc");
  EXPECT_EQ(back->command, r.command);
  EXPECT_EQ(back->created, 1700000000);
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->phase, Phase::kRunning);
}

TEST(ContainerRecordJson, RefusesBadRecords) {
  EXPECT_FALSE(parse_record("not json").ok());
  EXPECT_FALSE(parse_record("[]").ok());
  EXPECT_FALSE(parse_record(R"({"name":"web","phase":"flying"})").ok());
  EXPECT_FALSE(parse_record(R"({"name":"../x","phase":"running"})").ok()) << "a name is a path";
}

TEST(ContainerRecordJson, ImageTextThatIsNotUtf8IsReplacedNotThrown) {
  ContainerRecord r;
  r.name = "x";
  r.command = {std::string("\xff\xfe")};
  EXPECT_TRUE(parse_record(record_json(r)).ok());
}

TEST(JudgeContainer, ALockedFolderIsNeverTouched) {
  ContainerRecord r;
  for (Phase p : {Phase::kCreating, Phase::kRunning, Phase::kForeground, Phase::kRemoving}) {
    r.phase = p;
    EXPECT_FALSE(judge_container(r, true, RuncStatus::kAbsent).remove);
  }
  EXPECT_FALSE(judge_container(std::nullopt, true, RuncStatus::kAbsent).remove)
      << "a record not written yet";
  r.phase = Phase::kForeground;
  EXPECT_EQ(judge_container(r, true, RuncStatus::kAbsent).status, "running");
}

TEST(JudgeContainer, WhatADeadDistillLeftIsRemoved) {
  ContainerRecord r;
  EXPECT_TRUE(judge_container(std::nullopt, false, RuncStatus::kRunning).remove);
  for (Phase p : {Phase::kCreating, Phase::kForeground, Phase::kRemoving}) {
    r.phase = p;
    EXPECT_TRUE(judge_container(r, false, RuncStatus::kRunning).remove) << phase_name(p);
  }
  r.phase = Phase::kRunning;
  EXPECT_TRUE(judge_container(r, false, RuncStatus::kAbsent).remove) << "runc forgot it";
  EXPECT_TRUE(judge_container(r, false, RuncStatus::kCreated).remove) << "never started";
}

TEST(JudgeContainer, DetachedContainersAreKeptRunningOrExited) {
  ContainerRecord r;
  r.phase = Phase::kRunning;
  auto v = judge_container(r, false, RuncStatus::kRunning);
  EXPECT_FALSE(v.remove);
  EXPECT_EQ(v.status, "running");
  v = judge_container(r, false, RuncStatus::kStopped);
  EXPECT_FALSE(v.remove);
  EXPECT_EQ(v.status, "exited");
}
