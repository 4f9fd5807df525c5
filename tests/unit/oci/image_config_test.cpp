#include "oci/image_config.hpp"

#include <gtest/gtest.h>

using namespace distill;
using namespace distill::oci;

namespace {

const std::string kDiffId =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

ImageConfig sample_config() {
  ImageConfig c;
  c.platform = Platform{"linux", "arm64", "v8"};
  c.config.user = "65532:65532";
  c.config.env = {"PATH=/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"};
  c.config.entrypoint = {"/usr/bin/python3", "/app/main.py"};
  c.config.working_dir = "/app";
  c.config.exposed_ports = {"8080/tcp", "53/udp"};
  c.config.labels = {{"b", "2"}, {"a", "1"}};
  c.diff_ids = {*Digest::parse(kDiffId)};
  c.history = {{"distill build", "", false}};
  c.created = 0;
  return c;
}

TEST(ImageConfig, SerialisesDeterministically) {
  auto json = image_config_json(sample_config());
  ASSERT_TRUE(json.ok()) << json.error().message();
  EXPECT_EQ(*json,
            R"({"architecture":"arm64","config":{"Entrypoint":["/usr/bin/python3","/app/main.py"],)"
            R"("Env":["PATH=/usr/bin:/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],)"
            R"("ExposedPorts":{"53/udp":{},"8080/tcp":{}},"Labels":{"a":"1","b":"2"},)"
            R"("User":"65532:65532","WorkingDir":"/app"},"created":"1970-01-01T00:00:00Z",)"
            R"("history":[{"created":"1970-01-01T00:00:00Z","created_by":"distill build"}],)"
            R"("os":"linux","rootfs":{"diff_ids":[")" +
                kDiffId + R"("],"type":"layers"},"variant":"v8"})");
}

TEST(ImageConfig, MinimalConfigOmitsEmptyFields) {
  ImageConfig c;
  c.platform = Platform{"linux", "amd64", ""};
  c.created = 1700000000;
  auto json = image_config_json(c);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"({"architecture":"amd64","config":{},"created":"2023-11-14T22:13:20Z","os":"linux",)"
            R"("rootfs":{"diff_ids":[],"type":"layers"}})");
}

TEST(ImageConfig, RoundTrips) {
  auto json = image_config_json(sample_config());
  ASSERT_TRUE(json.ok());
  auto back = parse_image_config(*json, "config");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->platform, sample_config().platform);
  EXPECT_EQ(back->config.env, sample_config().config.env);
  EXPECT_EQ(back->config.entrypoint, sample_config().config.entrypoint);
  EXPECT_EQ(back->config.exposed_ports, sample_config().config.exposed_ports);
  EXPECT_EQ(back->config.labels, sample_config().config.labels);
  EXPECT_EQ(back->diff_ids, sample_config().diff_ids);
  EXPECT_EQ(back->history.size(), 1u);
  EXPECT_EQ(*image_config_json(*back), *json);
}

TEST(ImageConfig, RefusesWhatRuntimesWouldReject) {
  ImageConfig c = sample_config();
  c.config.env.push_back("NOEQUALS");
  EXPECT_FALSE(image_config_json(c).ok());

  c = sample_config();
  c.config.env.push_back("PATH=/other");
  auto dup = image_config_json(c);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().what.find("PATH"), std::string::npos);

  c = sample_config();
  c.config.exposed_ports = {"8080"};  // must be normalised first
  EXPECT_FALSE(image_config_json(c).ok());

  c = sample_config();
  c.history.push_back({"extra", "", false});  // two layer entries, one diff_id
  EXPECT_FALSE(image_config_json(c).ok());
  c.history.back().empty_layer = true;
  EXPECT_TRUE(image_config_json(c).ok());

  c = sample_config();
  c.config.labels["bad"] = "\xff";
  auto utf8 = image_config_json(c);
  ASSERT_FALSE(utf8.ok());
  EXPECT_EQ(utf8.error().where, "image config");

  c = sample_config();
  c.platform.architecture.clear();
  EXPECT_FALSE(image_config_json(c).ok());
}

TEST(ImageConfig, ParseReportsBadInput) {
  EXPECT_FALSE(parse_image_config("{", "x").ok());
  EXPECT_FALSE(parse_image_config("[]", "x").ok());
  auto bad_type = parse_image_config(R"({"architecture":5})", "blob");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().where, "blob: field 'architecture'");
  EXPECT_FALSE(parse_image_config(R"({"rootfs":{"diff_ids":["md5:x"]}})", "x").ok());
  EXPECT_FALSE(parse_image_config(R"({"created":"yesterday"})", "x").ok());
  EXPECT_FALSE(parse_image_config(R"({"config":{"Env":"A=1"}})", "x").ok());
  // Fields we do not model are ignored.
  EXPECT_TRUE(parse_image_config(R"({"architecture":"amd64","os":"linux","future":{}})", "x").ok());
}

TEST(Ports, Normalise) {
  EXPECT_EQ(*normalize_port("8080"), "8080/tcp");
  EXPECT_EQ(*normalize_port("53/udp"), "53/udp");
  EXPECT_EQ(*normalize_port("0080/tcp"), "80/tcp");
  EXPECT_FALSE(normalize_port("0").ok());
  EXPECT_FALSE(normalize_port("65536").ok());
  EXPECT_FALSE(normalize_port("80/http").ok());
  EXPECT_FALSE(normalize_port("-1").ok());
  EXPECT_FALSE(normalize_port("").ok());
}

}  // namespace
