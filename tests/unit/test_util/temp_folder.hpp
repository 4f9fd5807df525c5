#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/temp_dir.hpp"

namespace distill::test_support {

// A fixture with a fresh temporary folder per test, removed afterwards.
class TempFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<core::TempDir>(std::move(*d));
  }
  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  std::unique_ptr<core::TempDir> dir_;
};

}  // namespace distill::test_support
