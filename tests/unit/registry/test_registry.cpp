#include "../temp_dir.hpp"

#include <mlv/pointer/pointer.hpp>
#include <mlv/registry/registry.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace {

namespace fs = std::filesystem;
using mlv::Failure;
using mlv::git::Repository;

// Real git repositories with committed pointers; tags checked with git itself.
class RegistryTest : public mlv::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(repo_dir());
    git("init -q -b main");
    git("config user.name 'Release Owner'");
    git("config user.email owner@example.invalid");
    ::unsetenv("GIT_COMMITTER_NAME");
    ::unsetenv("GIT_COMMITTER_EMAIL");
  }

  fs::path repo_dir() const { return root_ / "repo"; }

  void git(const std::string& arguments) {
    const auto command = "cd '" + repo_dir().string() + "' && GIT_CONFIG_NOSYSTEM=1 HOME='" +
                         root_.string() + "' git " + arguments + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  std::string git_output(const std::string& arguments) {
    const auto out = root_ / "git-output.txt";
    const auto command = "cd '" + repo_dir().string() + "' && GIT_CONFIG_NOSYSTEM=1 HOME='" +
                         root_.string() + "' git " + arguments + " > '" + out.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return mlv::util::read_file(out);
  }

  // Commits a pointer for `data_path` whose id is `id_digit` repeated.
  void commit_pointer(const std::string& data_path, char id_digit, std::uint64_t size) {
    mlv::pointer::Pointer pointer;
    pointer.path = fs::path(data_path).filename().string();
    pointer.sha256 = std::string(64, id_digit);
    pointer.size = size;
    pointer.format = "onnx";
    const auto file = repo_dir() / (data_path + ".mlv");
    mlv::util::make_directories(file.parent_path());
    mlv::pointer::write_pointer(file, pointer);
    git("add -A");
    git("commit -q -m 'model " + std::string(1, id_digit) + "'");
  }

  Repository open() { return Repository::open(repo_dir()); }

  mlv::registry::RegistryTag register_version(const std::string& version,
                                              std::optional<std::string> path = {}) {
    auto repo = open();
    mlv::registry::RegisterRequest request;
    request.model = "clf";
    request.version = version;
    request.path = std::move(path);
    return mlv::registry::register_version(repo, request);
  }

  static std::optional<Failure> code_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const mlv::Error& error) {
      return error.kind();
    }
    return std::nullopt;
  }

  // register_version resolves --path against the current folder, as the CLI does.
  struct InFolder {
    explicit InFolder(const fs::path& folder) : previous(fs::current_path()) {
      fs::current_path(folder);
    }
    ~InFolder() { fs::current_path(previous); }
    fs::path previous;
  };
};

TEST_F(RegistryTest, RegisterTagsTheCommitWithARecordGitCanShow) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  const auto tag = register_version("v1.0.0", std::string("models/clf.onnx"));
  EXPECT_EQ(tag.tag, "clf@1.0.0");
  EXPECT_EQ(tag.record.path, "models/clf.onnx");
  EXPECT_EQ(tag.record.pointer, "models/clf.onnx.mlv");
  EXPECT_EQ(tag.record.sha256, std::string(64, 'a'));
  EXPECT_EQ(tag.tagger, "Release Owner");
  EXPECT_EQ(git_output("tag -l"), "clf@1.0.0\n");
  EXPECT_EQ(git_output("rev-parse clf@1.0.0^{commit}"), tag.commit + "\n");
  const auto shown = git_output("cat-file -p clf@1.0.0");
  EXPECT_NE(shown.find("tagger Release Owner <owner@example.invalid>"), std::string::npos);
  EXPECT_NE(shown.find("sha256: " + std::string(64, 'a')), std::string::npos) << shown;
}

TEST_F(RegistryTest, LaterVersionsDefaultToTheLastPathAndSortBySemver) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  register_version("1.9.0", std::string("models/clf.onnx"));
  commit_pointer("models/clf.onnx", 'b', 200);
  const auto later = register_version("1.10.0");
  EXPECT_EQ(later.record.pointer, "models/clf.onnx.mlv");
  EXPECT_EQ(later.record.sha256, std::string(64, 'b'));
  register_version("1.10.0-rc.1", std::string("models/clf.onnx"));
  const auto model = mlv::registry::load_model(open(), "clf");
  ASSERT_EQ(model.versions.size(), 3u);
  EXPECT_EQ(model.versions[0].record.version, "1.9.0");
  EXPECT_EQ(model.versions[1].record.version, "1.10.0-rc.1");
  EXPECT_EQ(model.versions[2].record.version, "1.10.0");
  EXPECT_EQ(model.latest_version()->record.version, "1.10.0");
}

TEST_F(RegistryTest, RegisterRefusals) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  EXPECT_EQ(code_of([&] { register_version("1.0.0"); }), Failure::invalid_input) << "no --path yet";
  register_version("1.0.0", std::string("models/clf.onnx"));
  EXPECT_EQ(code_of([&] { register_version("1.0.0"); }), Failure::conflict);
  EXPECT_EQ(code_of([&] { register_version("1.0.0+rebuild"); }), Failure::conflict);
  EXPECT_EQ(code_of([&] { register_version("1.1"); }), Failure::invalid_input);
  EXPECT_EQ(code_of([&] { register_version("2.0.0", std::string("models/none.onnx")); }),
            Failure::not_found);
  auto repo = open();
  mlv::registry::RegisterRequest request{"clf", "3.0.0", std::string("models/clf.onnx"),
                                         "no-such-branch", ""};
  EXPECT_EQ(code_of([&] { mlv::registry::register_version(repo, request); }),
            Failure::invalid_input);
  request.model = "team#clf";
  request.revision = "HEAD";
  EXPECT_EQ(code_of([&] { mlv::registry::register_version(repo, request); }),
            Failure::invalid_input);
  EXPECT_EQ(git_output("tag -l"), "clf@1.0.0\n") << "no tag from a refused registration";
}

TEST_F(RegistryTest, PromoteNumbersAssignmentsAndTheLatestWins) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  register_version("1.0.0", std::string("models/clf.onnx"));
  commit_pointer("models/clf.onnx", 'b', 200);
  register_version("1.1.0");
  auto repo = open();
  using mlv::registry::promote;
  EXPECT_EQ(promote(repo, "clf", "1.0.0", "production", "").assignment.tag, "clf#production#1");
  EXPECT_EQ(promote(repo, "clf", "1.1.0", "production", "go").assignment.tag, "clf#production#2");
  const auto again = promote(repo, "clf", "1.1.0", "production", "");
  EXPECT_FALSE(again.changed) << "promoting the current version again changes nothing";
  EXPECT_EQ(again.assignment.tag, "clf#production#2");
  // Roll-back: the older version again, as a new assignment.
  EXPECT_EQ(promote(repo, "clf", "v1.0.0", "production", "rollback").assignment.tag,
            "clf#production#3");
  EXPECT_EQ(promote(repo, "clf", "1.1.0", "staging", "").assignment.tag, "clf#staging#1");

  const auto resolved =
      mlv::registry::resolve(repo, {"clf", std::string("production"), std::nullopt});
  EXPECT_EQ(resolved.version.record.version, "1.0.0");
  EXPECT_EQ(resolved.version.record.sha256, std::string(64, 'a'));
  ASSERT_TRUE(resolved.stage.has_value());
  EXPECT_EQ(resolved.stage->tag, "clf#production#3");
  EXPECT_EQ(mlv::registry::resolve(repo, {"clf", std::string("staging"), std::nullopt})
                .version.record.sha256,
            std::string(64, 'b'));

  const auto model = mlv::registry::load_model(repo, "clf");
  EXPECT_EQ(model.assignments.size(), 4u);
  const auto stages = model.current_stages();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0]->record.stage, "production");
  EXPECT_EQ(stages[0]->record.version, "1.0.0");
  EXPECT_EQ(stages[1]->record.stage, "staging");
}

TEST_F(RegistryTest, PromoteAndResolveRefusals) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  register_version("1.0.0", std::string("models/clf.onnx"));
  auto repo = open();
  using mlv::registry::promote;
  using mlv::registry::resolve;
  EXPECT_EQ(code_of([&] { promote(repo, "clf", "2.0.0", "production", ""); }), Failure::not_found);
  EXPECT_EQ(code_of([&] { promote(repo, "clf", "1.0.0", "Prod", ""); }), Failure::invalid_input);
  EXPECT_EQ(code_of([&] { promote(repo, "nope", "1.0.0", "prod", ""); }), Failure::not_found);
  EXPECT_EQ(code_of([&] {
              resolve(repo, {"clf", std::string("production"), std::nullopt});
            }),
            Failure::not_found);
  EXPECT_EQ(code_of([&] {
              resolve(repo, {"clf", std::nullopt, std::string("9.0.0")});
            }),
            Failure::not_found);
  EXPECT_EQ(code_of([&] {
              resolve(repo, {"other", std::nullopt, std::string("1.0.0")});
            }),
            Failure::not_found);
}

TEST_F(RegistryTest, ForeignTagsAreNotModelsButAreNotOverwritten) {
  commit_pointer("models/clf.onnx", 'a', 100);
  git("tag clf@2.0.0");                         // a lightweight tag
  git("tag -a -m 'JS release' pkg@1.0.0 HEAD"); // a monorepo's package tag
  EXPECT_TRUE(mlv::registry::load_models(open()).empty());
  const InFolder here(repo_dir());
  EXPECT_EQ(code_of([&] { register_version("2.0.0", std::string("models/clf.onnx")); }),
            Failure::conflict);
}

TEST_F(RegistryTest, AMovedTagIsAnIntegrityError) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  const auto tag = register_version("1.0.0", std::string("models/clf.onnx"));
  // Someone re-creates the tag by hand on a commit whose pointer names other bytes.
  commit_pointer("models/clf.onnx", 'b', 200);
  const auto message = root_ / "message.txt";
  mlv::util::write_file_atomic(message, git_output("tag -l '--format=%(contents)' clf@1.0.0"));
  git("tag -f -a -F '" + message.string() + "' clf@1.0.0 HEAD");
  auto repo = open();
  EXPECT_EQ(code_of([&] {
              mlv::registry::resolve(repo, {"clf", std::nullopt, std::string("1.0.0")});
            }),
            Failure::corrupt);
}

TEST_F(RegistryTest, TheTaggerComesFromTheEnvironmentFirst) {
  commit_pointer("models/clf.onnx", 'a', 100);
  const InFolder here(repo_dir());
  ::setenv("GIT_COMMITTER_NAME", "CI Bot", 1);
  const auto tag = register_version("1.0.0", std::string("models/clf.onnx"));
  ::unsetenv("GIT_COMMITTER_NAME");
  EXPECT_EQ(tag.tagger, "CI Bot");
  EXPECT_EQ(tag.tagger_email, "owner@example.invalid");

  // A missing identity is tested in tests/integration/test_registry.sh, where HOME is private.
}

} // namespace
