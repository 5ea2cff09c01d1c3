// Where the API tests find the build's programs and the checkout's files.
//
// The locations are compiled in relative to the directory of the running test
// executable and resolved at run time, never as absolute paths: the same
// sources then compile to the same objects in every checkout, so a compiler
// cache filled by one clone serves the next (an absolute path in a macro made
// every test a cache miss in a fresh clone). The build files force-include
// this header into each API test.
#pragma once

#include <string>

namespace iam::testing {

// `relative` resolved against the directory of this process's executable
// (/proc/self/exe). Thread-safe.
std::string FromExecutableDir(const char* relative);

}  // namespace iam::testing

#define IAM_SPEC_DIR ::iam::testing::FromExecutableDir(IAM_REL_SPEC_DIR)
#define IAM_TESTS_SOURCE_DIR ::iam::testing::FromExecutableDir(IAM_REL_TESTS_SOURCE_DIR)
#define IAM_TESTS_BINARY_DIR ::iam::testing::FromExecutableDir(IAM_REL_TESTS_BINARY_DIR)
#define IAM_IAMD_PATH ::iam::testing::FromExecutableDir(IAM_REL_IAMD_PATH)
#define IAM_IAMCTL_PATH ::iam::testing::FromExecutableDir(IAM_REL_IAMCTL_PATH)
#define IAM_SEED003_SPEC_JSON ::iam::testing::FromExecutableDir(IAM_REL_SEED003_SPEC_JSON)
