#include "sbom/copyright_license.hpp"

#include <gtest/gtest.h>

using namespace distill::sbom;

namespace {

TEST(CopyrightLicense, MachineReadableFile) {
  const char* text =
      "Format: https://example.invalid/copyright-format/1.0/\n"
      "Upstream-Name: foo\n"
      "\n"
      "Files: *\n"
      "Copyright: 2020 Someone\n"
      "License: GPL-2+\n"
      "\n"
      "Files: lib/*\n"
      "Copyright: 2020 Someone\n"
      "License: LGPL-2.1+ or Expat\n"
      "\n"
      "Files: debian/*\n"
      "Copyright: 2020 Someone\n"
      "License: GPL-2+\n"
      "\n"
      "Files: doc/*\n"
      "Copyright: 2021 Other\n"
      "License: public-domain\n"
      " Do what you like.\n"
      "\n"
      "License: GPL-2+\n"
      " This program is free software...\n";
  EXPECT_EQ(spdx_license_from_copyright(text),
            "GPL-2.0-or-later AND (LGPL-2.1-or-later OR MIT) AND LicenseRef-public-domain");
}

TEST(CopyrightLicense, HeaderLicenseAndExceptions) {
  const char* text =
      "Format: http://example.invalid/doc/copyright-format/1.0/\n"
      "License: Apache-2.0\n"
      "\n"
      "Files: *\n"
      "Copyright: x\n"
      "License: GPL-2+ with OpenSSL exception\n";
  EXPECT_EQ(spdx_license_from_copyright(text),
            "Apache-2.0 AND LicenseRef-GPL-2-plus-with-OpenSSL-exception");
}

TEST(CopyrightLicense, FreeFormFilesGiveNothing) {
  EXPECT_EQ(spdx_license_from_copyright("This is the Debian package of foo.\n\nCopyright: me\n"),
            "");
  EXPECT_EQ(spdx_license_from_copyright(""), "");
  EXPECT_TRUE(is_license_ref("LicenseRef-x"));
  EXPECT_FALSE(is_license_ref("MIT"));
}

}  // namespace
