#include <gtest/gtest.h>

#include "oci/image_config.hpp"

namespace distill::oci {
namespace {

ImageConfig healthy_config() {
  ImageConfig c;
  c.platform = Platform{"linux", "amd64", ""};
  Healthcheck h;
  h.test = {"CMD", "/usr/libexec/distill/healthcheck", "http", "http://127.0.0.1:8080/health"};
  h.interval = 30'000'000'000;
  h.timeout = 5'000'000'000;
  h.retries = 3;
  c.config.healthcheck = h;
  return c;
}

TEST(HealthcheckConfig, DockerFieldsInNanosecondsZeroLeftOut) {
  auto json = image_config_json(healthy_config());
  ASSERT_TRUE(json.ok()) << json.error().message();
  EXPECT_NE(json->find(R"("Healthcheck":{"Interval":30000000000,"Retries":3,"Test":["CMD",)"
                       R"("/usr/libexec/distill/healthcheck","http",)"
                       R"("http://127.0.0.1:8080/health"],"Timeout":5000000000})"),
            std::string::npos)
      << *json;
  EXPECT_EQ(json->find("StartPeriod"), std::string::npos);
}

TEST(HealthcheckConfig, RoundTripsAndChecksTypes) {
  auto json = image_config_json(healthy_config());
  ASSERT_TRUE(json.ok());
  auto back = parse_image_config(*json, "config");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->config.healthcheck, healthy_config().config.healthcheck);
  auto none = parse_image_config(R"({"architecture":"amd64","os":"linux","config":{}})", "c");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->config.healthcheck);
  for (const char* bad :
       {R"({"config":{"Healthcheck":[]}})", R"({"config":{"Healthcheck":{"Test":"CMD x"}}})",
        R"({"config":{"Healthcheck":{"Interval":"30s"}}})",
        R"({"config":{"Healthcheck":{"Retries":-1}}})"})
    EXPECT_FALSE(parse_image_config(bad, "c").ok()) << bad;
}

TEST(HealthcheckConfig, OwnJsonForTheMonitor) {
  Healthcheck h = *healthy_config().config.healthcheck;
  auto back = healthcheck_from_json(healthcheck_to_json(h));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, h);
  EXPECT_FALSE(healthcheck_from_json("nope").ok());
}

}  // namespace
}  // namespace distill::oci
