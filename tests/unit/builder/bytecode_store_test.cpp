#include "builder/bytecode_store.hpp"

#include <gtest/gtest.h>

#include "unit/test_util/temp_folder.hpp"

using namespace distill;

namespace {

// A tree whose "interpreter" is never run: the store answers first.
effects::Tree python_tree() {
  effects::Tree t;
  for (const char* d :
       {"usr", "usr/bin", "usr/lib", "usr/lib/python3.11", "usr/lib/python3.11/json"})
    t.put(oci::FsEntry::directory(d));
  t.put(oci::FsEntry::file("usr/bin/python3.11",
                           "\x7f"
                           "ELF not run",
                           0755));
  t.put(oci::FsEntry::file("usr/lib/python3.11/json/__init__.py", "x = 1\n"));
  return t;
}

class BytecodeStoreTest : public test_support::TempFolderTest {};

TEST_F(BytecodeStoreTest, AStoredSetIsAddedWithoutTheSandboxAndCheckedLikeItsOutput) {
  auto cache = cache::Cache::open(path("cache"));
  ASSERT_TRUE(cache.ok());
  builder::CacheBytecodeStore store(*cache);
  effects::Tree tree = python_tree();
  auto key = effects::bytecode_key(tree, "amd64");
  ASSERT_TRUE(key.ok()) << key.error().message();
  effects::StoredBytecode set;
  set.failed = 2;
  set.files.push_back(oci::FsEntry::file(
      "usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc", "pyc bytes"));
  store.save(*key, set);

  effects::BytecodeOptions o;
  o.arch = "amd64";
  o.runc = "/nonexistent/runc";  // a sandbox run would be skipped: the store must answer
  o.mtime = 42;
  o.store = &store;
  auto r = effects::compile_python(tree, o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->from_store);
  EXPECT_EQ(r->compiled, 1u);
  EXPECT_EQ(r->failed, 2u);
  const oci::FsEntry* pyc =
      tree.find("usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc");
  ASSERT_NE(pyc, nullptr);
  EXPECT_EQ(pyc->mtime, 42);
  EXPECT_EQ(effects::read_entry(*pyc, 100).value(), "pyc bytes");
  ASSERT_NE(tree.find("usr/lib/python3.11/json/__pycache__"), nullptr);

  // Another source, another key: nothing stored, so the sandbox would run.
  effects::Tree changed = python_tree();
  changed.put(oci::FsEntry::file("usr/lib/python3.11/json/__init__.py", "x = 2\n"));
  auto other = effects::bytecode_key(changed, "amd64");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *key);
  EXPECT_FALSE(store.load(*other).has_value());
  auto skipped = effects::compile_python(changed, o);
  ASSERT_TRUE(skipped.ok());
  EXPECT_FALSE(skipped->from_store);
  EXPECT_EQ(skipped->skipped, "runc not found");
}

TEST_F(BytecodeStoreTest, AStoredFileWithoutItsSourceIsRefused) {
  auto cache = cache::Cache::open(path("cache"));
  ASSERT_TRUE(cache.ok());
  builder::CacheBytecodeStore store(*cache);
  effects::Tree tree = python_tree();
  auto key = effects::bytecode_key(tree, "amd64");
  ASSERT_TRUE(key.ok());
  effects::StoredBytecode set;
  set.files.push_back(
      oci::FsEntry::file("usr/lib/python3.11/__pycache__/evil.cpython-311.pyc", "x"));
  store.save(*key, set);
  effects::BytecodeOptions o;
  o.arch = "amd64";
  o.store = &store;
  auto r = effects::compile_python(tree, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("has no source"), std::string::npos);
}

}  // namespace
