// The conformance reports for tools (JSON, JUnit XML) stay well-formed
// whatever bytes a client prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance/runner/report.h"
#include "fake/utf8.h"

namespace nasfake::conformance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReportTest : public ::testing::Test {
 protected:
  ReportTest() {
    test_case_.id = "cancel<&>\"quoted\"";
    test_case_.title = "A & B";
    verdict_.test_case = &test_case_;
    verdict_.passed = false;
    verdict_.failures = {"stdout is \"\xFF\", expected <ok>"};
    verdict_.result.exit_code = 1;
    verdict_.result.stdout_text = "half a sequence \xC3";
    verdict_.result.stderr_text = std::string("bell\x07\0nul", 9) + " \xEF\xBF\xBF end";
    journal::Entry entry;
    entry.id = 1;
    entry.method = "GET";
    entry.target = "/v1/\xFF<x>";
    verdict_.journal = {entry};
  }

  Case test_case_;
  Verdict verdict_;
};

TEST_F(ReportTest, JUnitXmlIsValidUtf8WithMarkupEscapedAndNoForbiddenCharacters) {
  const std::string xml = JUnitXml({verdict_});
  EXPECT_EQ(ValidUtf8(xml), xml);
  for (unsigned char c : xml) {
    EXPECT_TRUE(c >= 0x20 || c == '\n' || c == '\t') << "control byte " << int{c};
  }
  EXPECT_THAT(xml, Not(HasSubstr("\xEF\xBF\xBF")));  // U+FFFF is not an XML character
  EXPECT_THAT(xml, HasSubstr("name=\"cancel&lt;&amp;&gt;&quot;quoted&quot;\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"stdout is &quot;\xEF\xBF\xBD&quot;, expected "
                             "&lt;ok&gt;\">A &amp; B\n"));
  EXPECT_THAT(xml, HasSubstr("half a sequence \xEF\xBF\xBD"));
  EXPECT_THAT(xml, HasSubstr("bell  nul \xEF\xBF\xBD end"));
  EXPECT_THAT(xml, HasSubstr("GET /v1/\xEF\xBF\xBD&lt;x&gt;"));
  EXPECT_THAT(xml, HasSubstr("tests=\"1\" failures=\"1\""));
}

TEST_F(ReportTest, JsonReportDumpsWhateverTheClientPrinted) {
  const nlohmann::json report = JsonReport({verdict_});
  std::string text;
  ASSERT_NO_THROW(text = report.dump());
  const auto& c = report["cases"][0];
  EXPECT_EQ(c["stdout"], "half a sequence \xEF\xBF\xBD");
  EXPECT_EQ(c["failures"][0], "stdout is \"\xEF\xBF\xBD\", expected <ok>");
  EXPECT_EQ(c["id"], test_case_.id);
  EXPECT_EQ(report["failed"], 1);
}

}  // namespace
}  // namespace nasfake::conformance
