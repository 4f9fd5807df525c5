#include "core/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace distill::core {
namespace {

TEST(ParseJson, ParsesWithoutThrowing) {
  auto j = parse_json(R"({"a": [1, 2]})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["a"][1], 2);
}

TEST(ParseJson, OneErrorShapeNamingWhere) {
  auto bad = parse_json("{not json", "index.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "index.json: is not valid JSON");
  auto anonymous = parse_json("");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.error().message(), "is not valid JSON");
  EXPECT_EQ(anonymous.error().with_where("config.json").message(),
            "config.json: is not valid JSON");
}

TEST(JsonFields, AbsentOrNullReadAsEmpty) {
  auto j = *parse_json(R"({"s": null})");
  EXPECT_EQ(*json_string(j, "s"), "");
  EXPECT_EQ(*json_string(j, "missing"), "");
  EXPECT_TRUE(json_string_list(j, "missing")->empty());
  EXPECT_EQ(*json_int(j, "missing"), 0);
}

TEST(JsonFields, WrongTypesNameTheField) {
  auto j = *parse_json(R"({"s": 1, "l": ["a", 2], "b": true, "m": {"k": "v"}})");
  EXPECT_EQ(json_string(j, "s").error().message(), "field 's': is not a string");
  EXPECT_FALSE(json_string_list(j, "l").ok());
  EXPECT_EQ(*json_bool(j, "b"), true);
  EXPECT_EQ(json_string_map(j, "m")->at("k"), "v");
}

TEST(DumpJson, RefusesInvalidUtf8) {
  nlohmann::json j = {{"k", "\xff"}};
  EXPECT_FALSE(dump_json(j, "doc").ok());
  EXPECT_EQ(*dump_json(nlohmann::json{{"b", 1}, {"a", 2}}, "doc"), R"({"a":2,"b":1})");
}

}  // namespace
}  // namespace distill::core
