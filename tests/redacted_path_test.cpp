// token-bearing paths are shown without their token.
#include <gtest/gtest.h>

#include "api/redacted_path.h"

namespace iam {
namespace {

TEST(RedactedPath, TokensInPathsAreReplacedAndOtherPathsKept) {
  EXPECT_EQ(api::RedactedPath("/uauth/user/confirmation/Zp3vN8qL1xT6bR9mC2kW5yD0fH7jA4sE8uG1iO3nQ6v"),
            "/uauth/user/confirmation/{redacted}");
  EXPECT_EQ(api::RedactedPath("/uauth/user/register/invitation/Zp3vN8qL1xT6bR9mC2kW5yD0fH7jA4sE8uG1iO3nQ6v/reject"),
            "/uauth/user/register/invitation/{redacted}/reject");
  EXPECT_EQ(api::RedactedPath("/uauth/users/my-account/email-change/abc"), "/uauth/users/my-account/email-change/{redacted}");
  EXPECT_EQ(api::RedactedPath("/uauth/users/my-account"), "/uauth/users/my-account");
  EXPECT_EQ(api::RedactedPath("/identity-management/v3/user-admin/groups"), "/identity-management/v3/user-admin/groups");
}

}  // namespace
}  // namespace iam
