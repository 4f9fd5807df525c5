#include "effects/shell_reader.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/strings.hpp"

namespace distill::effects {
namespace {

// A fresh install's postinst on amd64, in an image holding `files`.
ShellContext postinst(std::set<std::string> files = {}) {
  ShellContext c;
  c.args = {"configure", ""};
  c.env = {{"DPKG_MAINTSCRIPT_ARCH", "amd64"}, {"DPKG_ROOT", ""}};
  // Names ending in '/' are folders.
  c.file_type = [files](std::string_view p, bool) -> char {
    if (files.count(std::string(p) + "/")) return 'd';
    return files.count(std::string(p)) ? 'f' : 0;
  };
  c.executable = [files](std::string_view p) { return files.count(std::string(p)) != 0; };
  c.output = [](const std::vector<std::string>& argv) -> std::optional<std::string> {
    if (argv == std::vector<std::string>{"dpkg", "--print-architecture"}) return "amd64\n";
    return std::nullopt;
  };
  return c;
}

std::vector<std::string> commands(const ShellReading& r, bool certain_only = true) {
  std::vector<std::string> out;
  for (const auto& i : r.invocations)
    if (!certain_only || i.certain) out.push_back(core::join(i.argv, " "));
  return out;
}

TEST(ShellReader, FollowsVariablesLoopsAndDecidableConditionsOfOpenjdksPostinst) {
  const char* script = R"(#!/bin/sh
set -e
multiarch=x86_64-linux-gnu
priority=1711
basedir=/usr/lib/jvm/java-17-openjdk-amd64
mandir=$basedir/man
jre_tools='java keytool'
case "$1" in
configure)
    if ! mountpoint -q /proc; then
	echo >&2 "the java command requires a mounted proc fs (/proc)."
	exit 1
    fi
    [ -d /etc/.java ] || mkdir -m 755 /etc/.java
    if [ -z "$2" ]; then
	update_alternatives=y
    fi
    if [ "$update_alternatives" = y ]; then
    if [ -n "$multiarch" ] && [ "$DPKG_MAINTSCRIPT_ARCH" != $(dpkg --print-architecture) ]; then
	priority=$(expr $priority - 1)
    fi
    for i in $jre_tools; do
	unset slave1 slave2 || true
        if [ -e $mandir/man1/$i.1.gz ]; then
	    slave1="--slave \
		/usr/share/man/man1/$i.1.gz \
                $i.1.gz \
                $mandir/man1/$i.1.gz"
	fi
        update-alternatives \
            --install \
            /usr/bin/$i \
            $i \
            $basedir/bin/$i \
            $priority \
	    $slave1 $slave2
    done
    fi # update alternatives
    ;;
esac
exit 0
)";
  ShellReading r =
      read_shell(script, postinst({"/usr/lib/jvm/java-17-openjdk-amd64/man/man1/java.1.gz"}));
  ASSERT_EQ(r.error, "");
  // mountpoint runs on every install (its answer is unknown, but the branch
  // it guards fails the install); mkdir runs because /etc/.java is missing.
  std::vector<std::string> certain = commands(r);
  ASSERT_EQ(certain.size(), 5u);
  EXPECT_EQ(certain[0], "mountpoint -q /proc");
  EXPECT_EQ(certain[1], "mkdir -m 755 /etc/.java");
  EXPECT_EQ(std::vector<std::string>(certain.begin() + 2, certain.end()),
            (std::vector<std::string>{"dpkg --print-architecture",
                                      "update-alternatives --install /usr/bin/java java "
                                      "/usr/lib/jvm/java-17-openjdk-amd64/bin/java 1711 --slave "
                                      "/usr/share/man/man1/java.1.gz java.1.gz "
                                      "/usr/lib/jvm/java-17-openjdk-amd64/man/man1/java.1.gz",
                                      "update-alternatives --install /usr/bin/keytool keytool "
                                      "/usr/lib/jvm/java-17-openjdk-amd64/bin/keytool 1711"}));
}

TEST(ShellReader, FunctionsTakeTheirArgumentsAndHeredocsAndRedirectionsAreKept) {
  const char* script = R"(
install_dir() {
  if [ ! -d "$DPKG_ROOT/$1" ]; then
    mkdir "$DPKG_ROOT/$1"
    chmod "$2" "$DPKG_ROOT/$1"
  fi
}
install_dir srv 755
install_dir etc 755
cat > /etc/python3/debian_config <<-EOF
	[DEFAULT]
	byte-compile = standard
	EOF
echo hi >/dev/null 2>&1
)";
  ShellReading r = read_shell(script, postinst({"/etc/"}));
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.invocations.size(), 4u);
  EXPECT_EQ(commands(r)[0], "mkdir /srv");
  EXPECT_EQ(commands(r)[1], "chmod 755 /srv");
  EXPECT_EQ(r.invocations[2].writes, std::vector<std::string>{"/etc/python3/debian_config"});
  EXPECT_EQ(r.invocations[2].heredoc, "[DEFAULT]\nbyte-compile = standard\n");
  EXPECT_TRUE(r.invocations[3].writes.empty());
}

TEST(ShellReader, UndecidedConditionsMarkWhatFollowsUncertainAndUnknownWordsIncomplete) {
  const char* script = R"(
db_get foo/bar
case "$RET" in
  a) ln -s /x /y ;;
  *) echo other ;;
esac
if [ "$1" = upgrade ]; then rm -rf /old; fi
files=$(dpkg -L foo | sed -n p)
/usr/bin/python3 -m py_compile $files
ldconfig
)";
  ShellReading r = read_shell(script, postinst());
  ASSERT_EQ(r.error, "");
  auto all = commands(r, false);
  EXPECT_EQ(std::find(all.begin(), all.end(), "rm -rf /old"), all.end());
  for (const auto& i : r.invocations) {
    if (i.argv[0] == "ln") {
      EXPECT_FALSE(i.certain);
    }
    if (i.argv[0] == "/usr/bin/python3") {
      EXPECT_FALSE(i.complete);
    }
    if (i.argv[0] == "ldconfig") {
      EXPECT_TRUE(i.certain);
    }
  }
}

TEST(ShellReader, ExitEndsTheReadingAndUnknownSyntaxIsAnError) {
  ShellReading r = read_shell("ldconfig\nexit 0\nadduser x\n", postinst());
  EXPECT_EQ(commands(r), std::vector<std::string>{"ldconfig"});
  EXPECT_NE(read_shell("if true; then\n", postinst()).error, "");
  EXPECT_NE(read_shell("echo 'open\n", postinst()).error, "");
  EXPECT_NE(read_shell("cat <<EOF\nno end\n", postinst()).error, "");
}

TEST(ShellReader, ACaseCutShortIsAnErrorNotAReadPastTheEnd) {
  // Found by fuzz_shell_reader: "case" alone read the token after the end.
  for (const char* script : {"case", "case\n", "case x", "case x in", "case x in a)"}) {
    ShellReading r = read_shell(script, postinst());
    EXPECT_FALSE(r.error.empty()) << script;
    EXPECT_TRUE(r.invocations.empty()) << script;
  }
}

TEST(ShellReader, WhichAndCommandVAskTheImage) {
  const char* script =
      "if which py3compile >/dev/null 2>&1; then\n  py3compile -p python3 /usr/share/python3/\nfi\n"
      "if command -v update-binfmts >/dev/null; then update-binfmts --import x; fi\n";
  ShellReading r = read_shell(script, postinst({"/usr/bin/py3compile"}));
  EXPECT_EQ(commands(r), std::vector<std::string>{"py3compile -p python3 /usr/share/python3/"});
}

}  // namespace
}  // namespace distill::effects
