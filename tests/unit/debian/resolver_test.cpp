#include "debian/resolver.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packages_text.hpp"

namespace distill::debian {
namespace {

using distill::debian::test_util::make_index;
using distill::debian::test_util::Pkg;
using Strings = std::vector<std::string>;

class Resolver : public ::testing::Test {
 protected:
  core::Result<Resolution> run(Strings roots, Strings exclude = {}, std::string arch = "amd64") {
    ResolveRequest request;
    request.roots = std::move(roots);
    request.exclude = std::move(exclude);
    request.where = "bookworm/" + arch;
    request.arch = std::move(arch);
    return resolve(universe, request, policy);
  }

  // Resolves and returns "name=version" for every selected package.
  Strings names(Strings roots, Strings exclude = {}, std::string arch = "amd64") {
    auto r = run(std::move(roots), std::move(exclude), std::move(arch));
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message();
      return {};
    }
    return names_of(*r);
  }

  static Strings names_of(const Resolution& r) {
    Strings out;
    for (const ResolvedPackage& p : r.packages)
      out.push_back(std::string(p.entry->name) + "=" + std::string(p.entry->version));
    return out;
  }

  static Strings dropped_of(const Resolution& r) {
    Strings out;
    for (const DroppedEdge& d : r.dropped) out.push_back(d.str());
    return out;
  }

  static const ResolvedPackage& get(const Resolution& r, std::string_view name) {
    for (const ResolvedPackage& p : r.packages)
      if (p.entry->name == name) return p;
    ADD_FAILURE() << name << " not selected";
    static ResolvedPackage none;
    return none;
  }

  PackageUniverse universe;
  Policy policy = Policy::distroless();
};

TEST_F(Resolver, FollowsDependsAndPreDependsTransitively) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libfoo", .pre_depends = "libpre"},
      Pkg{.name = "libfoo", .depends = "libc6 (>= 2.36)"},
      Pkg{.name = "libpre", .depends = "libc6"},
      Pkg{.name = "libc6", .version = "2.36-9"},
      Pkg{.name = "unrelated"},
  }));
  auto r = run({"app"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"app=1.0-1", "libc6=2.36-9", "libfoo=1.0-1", "libpre=1.0-1"}));
  EXPECT_TRUE(get(*r, "app").requested);
  EXPECT_FALSE(get(*r, "libfoo").requested);
  EXPECT_TRUE(get(*r, "app").required_by.empty());
  EXPECT_EQ(get(*r, "libfoo").required_by, Strings{"app"});
  EXPECT_EQ(get(*r, "libc6").required_by, (Strings{"libfoo", "libpre"}));
  EXPECT_TRUE(r->dropped.empty());
}

TEST_F(Resolver, RequiredByIsSortedAndDeduplicated) {
  universe.add(make_index({
      Pkg{.name = "zeta", .depends = "common, common (>= 1.0)"},
      Pkg{.name = "alpha", .depends = "common"},
      Pkg{.name = "common"},
  }));
  auto r = run({"zeta", "alpha"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(get(*r, "common").required_by, (Strings{"alpha", "zeta"}));
  EXPECT_TRUE(get(*r, "alpha").requested);
  EXPECT_TRUE(get(*r, "zeta").requested);
}

TEST_F(Resolver, FirstAvailableAlternativeWins) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "missing | libalt1 | libalt2"},
      Pkg{.name = "libalt1"},
      Pkg{.name = "libalt2"},
  }));
  EXPECT_EQ(names({"app"}), (Strings{"app=1.0-1", "libalt1=1.0-1"}));
}

TEST_F(Resolver, AlreadySelectedAlternativeIsPreferred) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libalt1 | libalt2"},
      Pkg{.name = "libalt1"},
      Pkg{.name = "libalt2"},
      Pkg{.name = "other", .depends = "libalt2"},
  }));
  // Named by the user.
  auto r = run({"app", "libalt2"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"app=1.0-1", "libalt2=1.0-1"}));
  EXPECT_EQ(get(*r, "libalt2").required_by, Strings{"app"});
  EXPECT_TRUE(get(*r, "libalt2").requested);
  // Pulled in by another package first (breadth-first: other is visited before app).
  EXPECT_EQ(names({"other", "app"}), (Strings{"app=1.0-1", "libalt2=1.0-1", "other=1.0-1"}));
}

TEST_F(Resolver, VirtualPackagePicksProviderByPriorityThenName) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "mail-transport-agent"},
      // Sorts first by name but ranks last by priority.
      Pkg{.name = "dma", .provides = "mail-transport-agent", .priority = "extra"},
      Pkg{.name = "postfix", .provides = "mail-transport-agent", .priority = "optional"},
      Pkg{.name = "exim4-light", .provides = "mail-transport-agent", .priority = "standard"},
      Pkg{.name = "exim4-heavy", .provides = "mail-transport-agent", .priority = "standard"},
  }));
  EXPECT_EQ(names({"app"}), (Strings{"app=1.0-1", "exim4-heavy=1.0-1"}));
  // A provider that is already selected beats a better-ranked one.
  EXPECT_EQ(names({"postfix", "app"}), (Strings{"app=1.0-1", "postfix=1.0-1"}));
}

TEST_F(Resolver, NewestVersionOfTheChosenProviderWins) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "mta"},
      Pkg{.name = "exim", .version = "4.96-15", .provides = "mta"},
  }));
  universe.add(make_index({Pkg{.name = "exim", .version = "4.96-15+deb12u1", .provides = "mta"}},
                          "bookworm-security"));
  auto r = run({"app"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"app=1.0-1", "exim=4.96-15+deb12u1"}));
  EXPECT_EQ(get(*r, "exim").entry->origin->suite, "bookworm-security");
}

TEST_F(Resolver, VersionedDependencyNeedsVersionedProvide) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libvirt-x (>= 2)"},
      Pkg{.name = "aaa-unversioned", .provides = "libvirt-x", .priority = "required"},
      Pkg{.name = "zzz-old", .provides = "libvirt-x (= 1.5)", .priority = "required"},
      Pkg{.name = "zzz-versioned", .provides = "libvirt-x (= 2.5)"},
      Pkg{.name = "plain", .depends = "libvirt-x"},
      Pkg{.name = "strict", .depends = "only-unversioned (>= 1)"},
      Pkg{.name = "u", .provides = "only-unversioned"},
  }));
  EXPECT_EQ(names({"app"}), (Strings{"app=1.0-1", "zzz-versioned=1.0-1"}));
  // An unversioned dependency is satisfied by any provider, versioned or not.
  EXPECT_EQ(names({"plain"}), (Strings{"aaa-unversioned=1.0-1", "plain=1.0-1"}));
  auto r = run({"strict"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "strict -> only-unversioned (>= 1): no candidate in bookworm/amd64");
  EXPECT_EQ(r.error().hint, "only-unversioned is virtual and no provider matches");
}

TEST_F(Resolver, SelectedVersionedProvideSatisfiesLaterDependency) {
  universe.add(make_index({
      Pkg{.name = "a", .depends = "impl"},
      Pkg{.name = "b", .depends = "api (>= 3)"},
      Pkg{.name = "impl", .provides = "api (= 3.1)"},
      Pkg{.name = "other-impl", .provides = "api (= 4)", .priority = "required"},
  }));
  auto r = run({"a", "b"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"a=1.0-1", "b=1.0-1", "impl=1.0-1"}));
  EXPECT_EQ(get(*r, "impl").required_by, (Strings{"a", "b"}));
}

TEST_F(Resolver, HighestSatisfyingVersionAcrossSuites) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libssl3 (>= 3.0.9), libold (<< 2), libpin (= 2.0-1)"},
      Pkg{.name = "libssl3", .version = "3.0.11-1~deb12u1"},
      Pkg{.name = "libold", .version = "1.0"},
      Pkg{.name = "libold", .version = "2.0"},
      Pkg{.name = "libold", .version = "1.5"},
      Pkg{.name = "libpin", .version = "2.0-1"},
  }));
  universe.add(make_index(
      {
          Pkg{.name = "libssl3", .version = "3.0.15-1~deb12u1"},
          Pkg{.name = "libold", .version = "3.0"},
          Pkg{.name = "libpin", .version = "2.0-1+deb12u1"},
      },
      "bookworm-security"));
  auto r = run({"app"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r),
            (Strings{"app=1.0-1", "libold=1.5", "libpin=2.0-1", "libssl3=3.0.15-1~deb12u1"}));
  EXPECT_EQ(get(*r, "libssl3").entry->origin->suite, "bookworm-security");
  EXPECT_EQ(get(*r, "libpin").entry->origin->suite, "bookworm");
}

TEST_F(Resolver, RootsMayCarryAVersion) {
  universe.add(make_index({Pkg{.name = "libssl3", .version = "3.0.11-1~deb12u1"}}));
  universe.add(
      make_index({Pkg{.name = "libssl3", .version = "3.0.15-1~deb12u1"}}, "bookworm-security"));
  EXPECT_EQ(names({"libssl3"}), Strings{"libssl3=3.0.15-1~deb12u1"});
  EXPECT_EQ(names({"libssl3=3.0.11-1~deb12u1"}), Strings{"libssl3=3.0.11-1~deb12u1"});
  EXPECT_EQ(names({"libssl3 (<< 3.0.12)"}), Strings{"libssl3=3.0.11-1~deb12u1"});
  EXPECT_EQ(names({"libssl3 (>= 3.0.12)"}), Strings{"libssl3=3.0.15-1~deb12u1"});

  auto r = run({"libssl3 (>= 4)"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "libssl3 (>= 4): no candidate in bookworm/amd64 "
            "(libssl3 has only 3.0.15-1~deb12u1, 3.0.11-1~deb12u1)");

  r = run({"libssl3=3.0.11-1~deb12u1", "libssl3=3.0.15-1~deb12u1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "libssl3=3.0.15-1~deb12u1: conflicts with libssl3 3.0.11-1~deb12u1, already selected "
            "(ask for one version only)");

  for (const char* bad : {"a | b", "", "libssl3 (>= )", "=1.0"}) {
    auto e = run({bad});
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().what, "not a package name with an optional version constraint") << bad;
  }
}

TEST_F(Resolver, CyclesTerminate) {
  universe.add(make_index({
      Pkg{.name = "a", .depends = "b, a"},
      Pkg{.name = "b", .pre_depends = "c"},
      Pkg{.name = "c", .depends = "a (>= 1.0)"},
  }));
  auto r = run({"a"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"a=1.0-1", "b=1.0-1", "c=1.0-1"}));
  EXPECT_EQ(get(*r, "a").required_by, Strings{"c"});  // not itself
  EXPECT_EQ(get(*r, "b").required_by, Strings{"a"});
  EXPECT_EQ(get(*r, "c").required_by, Strings{"b"});
}

void add_base_system(PackageUniverse& u) {
  u.add(make_index({
      Pkg{.name = "python3",
          .depends = "python3-minimal, libc6, bash | zsh, coreutils (>= 1.0), coreutils"},
      Pkg{.name = "python3-minimal",
          .depends = "dpkg (>= 1.13.20)",
          .pre_depends = "debconf (>= 0.5) | debconf-2.0"},
      Pkg{.name = "libc6"},
      Pkg{.name = "bash", .essential = "yes", .priority = "required"},
      Pkg{.name = "zsh"},
      Pkg{.name = "dash", .essential = "yes", .priority = "required"},
      Pkg{.name = "coreutils", .depends = "libc6", .essential = "yes", .priority = "required"},
      Pkg{.name = "dpkg",
          .version = "1.21.22",
          .depends = "tar",
          .essential = "yes",
          .priority = "required"},
      Pkg{.name = "tar", .essential = "yes", .priority = "required"},
      Pkg{.name = "debconf",
          .version = "1.5.82",
          .provides = "debconf-2.0",
          .priority = "required"},
      Pkg{.name = "cdebconf", .provides = "debconf-2.0"},
      Pkg{.name = "tool", .depends = "missing-thing | dash"},
      Pkg{.name = "script", .depends = "bash"},
  }));
}

TEST_F(Resolver, PolicyDropsEssentialShellsAndPackageManagers) {
  add_base_system(universe);
  auto r = run({"python3", "tool"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r),
            (Strings{"libc6=1.0-1", "python3=1.0-1", "python3-minimal=1.0-1", "tool=1.0-1"}));
  EXPECT_EQ(dropped_of(*r), (Strings{
                                "python3 -> bash | zsh: dropped (shell)",
                                "python3 -> coreutils: dropped (essential)",
                                "python3 -> coreutils: dropped (essential)",
                                "python3-minimal -> debconf (>= 0.5) | debconf-2.0: dropped "
                                "(package manager)",
                                "python3-minimal -> dpkg: dropped (package manager)",
                                // An alternative without any candidate does not stop the drop.
                                "tool -> missing-thing | dash: dropped (shell)",
                            }));
  // The edge keeps the dependency as written; str() shows the bare name.
  ASSERT_EQ(r->dropped.size(), 6u);
  EXPECT_EQ(r->dropped[1].from, "python3");
  EXPECT_EQ(r->dropped[1].to, "coreutils");
  EXPECT_EQ(r->dropped[2].to, "coreutils (>= 1.0)");
  EXPECT_EQ(r->dropped[2].reason, "essential");
  EXPECT_EQ(r->dropped[4].to, "dpkg (>= 1.13.20)");
  EXPECT_EQ(r->dropped[4].str(), "python3-minimal -> dpkg: dropped (package manager)");
}

TEST_F(Resolver, InstallInfoIsNoFallbackForDpkg) {
  universe.add(make_index({
      Pkg{.name = "readline-common", .depends = "dpkg (>= 1.15.4) | install-info"},
      Pkg{.name = "dpkg", .version = "1.21.22", .essential = "yes"},
      Pkg{.name = "install-info", .version = "6.8-6+b1"},
  }));
  auto r = run({"readline-common"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), Strings{"readline-common=1.0-1"});
  EXPECT_EQ(dropped_of(*r), Strings{"readline-common -> dpkg (>= 1.15.4) | install-info: dropped "
                                    "(package manager)"});
}

TEST_F(Resolver, DroppedEdgesAreDeduplicated) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "dpkg, dpkg", .pre_depends = "dpkg"},
      Pkg{.name = "dpkg", .essential = "yes"},
  }));
  auto r = run({"app"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(dropped_of(*r), Strings{"app -> dpkg: dropped (package manager)"});
}

TEST_F(Resolver, NamedEssentialPackagesAndPackageManagersAreKept) {
  add_base_system(universe);
  auto r = run({"coreutils", "dpkg"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"coreutils=1.0-1", "dpkg=1.21.22", "libc6=1.0-1"}));
  EXPECT_TRUE(get(*r, "coreutils").requested);
  EXPECT_TRUE(get(*r, "dpkg").requested);
  // Their own essential dependencies are still dropped.
  EXPECT_EQ(dropped_of(*r), Strings{"dpkg -> tar: dropped (essential)"});
  // A named package satisfies other packages' dependencies on it.
  r = run({"python3", "coreutils"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(get(*r, "coreutils").required_by, Strings{"python3"});
  for (const DroppedEdge& d : r->dropped) EXPECT_NE(d.reason, "essential") << d.str();
}

TEST_F(Resolver, NamedShellNeedsOptIn) {
  add_base_system(universe);
  auto r = run({"script", "bash"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "bash");
  EXPECT_EQ(r.error().what, "is a shell, which a distroless image leaves out");
  EXPECT_EQ(r.error().hint, "set allow_shells / --allow-shell to opt in");

  policy.allow_shells = true;
  r = run({"script", "bash"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"bash=1.0-1", "script=1.0-1"}));
  EXPECT_EQ(get(*r, "bash").required_by, Strings{"script"});
  EXPECT_TRUE(r->dropped.empty());

  // Opting in to named shells does not pull them in implicitly.
  r = run({"script"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(dropped_of(*r), Strings{"script -> bash: dropped (shell)"});
}

TEST_F(Resolver, ExcludedPackagesAreDroppedOrSkipped) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libfoo, libalt | libbar, mta"},
      Pkg{.name = "libfoo"},
      Pkg{.name = "libalt"},
      Pkg{.name = "libbar"},
      Pkg{.name = "exim", .provides = "mta", .priority = "standard"},
      Pkg{.name = "postfix", .provides = "mta"},
  }));
  auto r = run({"app"}, {"libfoo", "libalt", "exim"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), (Strings{"app=1.0-1", "libbar=1.0-1", "postfix=1.0-1"}));
  EXPECT_EQ(dropped_of(*r), Strings{"app -> libfoo: dropped (excluded)"});

  r = run({"app"}, {"exim", "postfix"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(dropped_of(*r), Strings{"app -> mta: dropped (excluded)"});

  r = run({"app", "libfoo"}, {"libfoo"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "libfoo: is both requested and excluded (remove it from one of the two lists)");
}

void add_python_chain(PackageUniverse& u) {
  u.add(make_index({
      Pkg{.name = "python3", .version = "3.11.2-1+b1", .depends = "python3.11 (>= 3.11.2-1~)"},
      Pkg{.name = "python3.11",
          .version = "3.11.2-6",
          .depends = "libc6, libexpat1 (>= 2.1~beta3)"},
      Pkg{.name = "libc6", .version = "2.36-9"},
      Pkg{.name = "libexpat1", .version = "2.0-1"},
  }));
}

TEST_F(Resolver, UnsatisfiableDependencyNamesTheWholeChain) {
  add_python_chain(universe);
  auto r = run({"python3"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what,
            "python3 -> python3.11 -> libexpat1 (>= 2.1~beta3): no candidate in bookworm/amd64");
  EXPECT_EQ(r.error().hint, "libexpat1 has only 2.0-1");
  EXPECT_EQ(r.error().message(),
            "python3 -> python3.11 -> libexpat1 (>= 2.1~beta3): no candidate in bookworm/amd64 "
            "(libexpat1 has only 2.0-1)");
}

TEST_F(Resolver, MissingDependencyAcrossAlternatives) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libgone | libvirt"},
      Pkg{.name = "libvirt-thing", .provides = "unrelated"},
  }));
  auto r = run({"app"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "app -> libgone | libvirt: no candidate in bookworm/amd64 "
            "(nothing is named or provides libgone; nothing is named or provides libvirt)");
}

TEST_F(Resolver, VersionConflictNamesBothVersions) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "liba, libb"},
      Pkg{.name = "liba", .depends = "libz (= 1.0)"},
      Pkg{.name = "libb", .depends = "libz (>= 2.0)"},
      Pkg{.name = "libz", .version = "1.0"},
      Pkg{.name = "libz", .version = "2.0"},
  }));
  auto r = run({"app"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what,
            "app -> libb -> libz (>= 2.0): conflict: libz 1.0 is already selected "
            "(via app -> liba -> libz)");
}

TEST_F(Resolver, ArchitectureHandling) {
  universe.add(make_index({
      Pkg{.name = "app", .depends = "libfoo:any, libbar:native, data, libbaz:amd64"},
      Pkg{.name = "libfoo", .version = "1.0", .multi_arch = "allowed"},
      Pkg{.name = "libbar", .version = "1.0"},
      Pkg{.name = "libbaz", .version = "1.0"},
      Pkg{.name = "data", .arch = "all"},
      Pkg{.name = "foreign", .depends = "libfoo:i386 | libbar"},
      Pkg{.name = "foreign-only", .depends = "libfoo:i386"},
  }));
  // Same universe, entries of another architecture with higher versions.
  universe.add(make_index(
      {
          Pkg{.name = "app", .arch = "arm64", .depends = "libfoo:any, data"},
          Pkg{.name = "libfoo", .version = "9.0", .arch = "arm64"},
          Pkg{.name = "armonly", .arch = "arm64"},
      },
      "bookworm", "main", "arm64"));

  EXPECT_EQ(names({"app"}),
            (Strings{"app=1.0-1", "data=1.0-1", "libbar=1.0", "libbaz=1.0", "libfoo=1.0"}));
  auto r = run({"app"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(get(*r, "app").entry->architecture, "amd64");
  EXPECT_EQ(get(*r, "data").entry->architecture, "all");

  EXPECT_EQ(names({"app"}, {}, "arm64"), (Strings{"app=1.0-1", "data=1.0-1", "libfoo=9.0"}));
  EXPECT_EQ(names({"foreign"}), (Strings{"foreign=1.0-1", "libbar=1.0"}));

  r = run({"foreign-only"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "foreign-only -> libfoo:i386: no candidate in bookworm/amd64 "
            "(libfoo:i386 names an architecture other than amd64)");

  r = run({"armonly"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "armonly: no candidate in bookworm/amd64 (armonly is only built for arm64)");

  r = run({"app"}, {}, "");
  ASSERT_FALSE(r.ok());
}

TEST_F(Resolver, UnknownRootSuggestsACloseName) {
  add_python_chain(universe);
  auto r = run({"pyhton3"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "pyhton3: no such package in bookworm/amd64 (did you mean python3?)");
  r = run({"completely-different"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "completely-different: no such package in bookworm/amd64");
}

TEST_F(Resolver, VirtualRootPicksAProvider) {
  universe.add(make_index({
      Pkg{.name = "mawk", .provides = "awk", .priority = "required"},
      Pkg{.name = "gawk", .provides = "awk"},
      Pkg{.name = "dash", .provides = "sh-ish", .essential = "yes"},
  }));
  auto r = run({"awk"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(names_of(*r), Strings{"mawk=1.0-1"});
  EXPECT_TRUE(get(*r, "mawk").requested);
  // A named provider wins.
  EXPECT_EQ(names({"gawk", "awk"}), Strings{"gawk=1.0-1"});
  r = run({"sh-ish"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "sh-ish: every provider is left out (shell) (name the provider you want explicitly)");
}

TEST_F(Resolver, MalformedDependencyFieldIsAnError) {
  universe.add(make_index({Pkg{.name = "app", .depends = "libfoo (>> )"}}));
  auto r = run({"app"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("app 1.0-1 (bookworm/main/amd64) Depends"), std::string::npos)
      << r.error().message();
}

std::string render(const Resolution& r) {
  std::string out;
  for (const ResolvedPackage& p : r.packages) {
    out += std::string(p.entry->name) + " " + std::string(p.entry->version) + " " +
           p.entry->origin->label() + (p.requested ? " *" : "") + " <-";
    for (const std::string& d : p.required_by) out += " " + d;
    out += "\n";
  }
  for (const DroppedEdge& d : r.dropped) out += d.str() + "\n";
  return out;
}

TEST(ResolverDeterminism, IndexOrderWithinASuiteDoesNotMatter) {
  auto main = make_index({
      Pkg{.name = "app", .depends = "mta, libx, dpkg, helper | other"},
      Pkg{.name = "libx", .version = "2.0", .depends = "liby"},
      Pkg{.name = "dpkg", .essential = "yes"},
      Pkg{.name = "exim", .provides = "mta", .priority = "standard"},
  });
  auto contrib = make_index(
      {
          Pkg{.name = "liby"},
          Pkg{.name = "courier", .provides = "mta", .priority = "standard"},
          Pkg{.name = "other"},
          Pkg{.name = "helper", .depends = "liby"},
      },
      "bookworm", "contrib");
  auto non_free = make_index({Pkg{.name = "libx", .version = "1.0"}}, "bookworm", "non-free");

  ResolveRequest request{{"app"}, {}, "amd64", "bookworm/amd64"};
  std::vector<std::string> rendered;
  for (auto order : {std::vector{main, contrib, non_free}, std::vector{non_free, contrib, main},
                     std::vector{contrib, main, non_free}}) {
    PackageUniverse u;
    for (const auto& index : order) u.add(index);
    auto r = resolve(u, request, Policy::distroless());
    ASSERT_TRUE(r.ok()) << r.error().message();
    rendered.push_back(render(*r));
  }
  EXPECT_EQ(rendered[0],
            "app 1.0-1 bookworm/main/amd64 * <-\n"
            "courier 1.0-1 bookworm/contrib/amd64 <- app\n"
            "helper 1.0-1 bookworm/contrib/amd64 <- app\n"
            "libx 2.0 bookworm/main/amd64 <- app\n"
            "liby 1.0-1 bookworm/contrib/amd64 <- helper libx\n"
            "app -> dpkg: dropped (package manager)\n");
  EXPECT_EQ(rendered[1], rendered[0]);
  EXPECT_EQ(rendered[2], rendered[0]);
}

}  // namespace
}  // namespace distill::debian
