// User profile and notification validation (iam-rules.md U-2, U-5, U-6,
// U-12, A-6, N-2; decisions D-5, D-8): pure functions, no storage.
#include "commands/user_validation.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "commands/lookups.h"

namespace iam::commands {
namespace {

using events::NotificationSettings;
using events::UserProfile;

// The create-user request example of the spec, except the time zone: the
// example's "GMT" is checked on its own (SpecExamplesWithGmt) because the
// lookup data may lack it.
UserProfile CreateExample() {
  UserProfile p;
  p.first_name = "John";
  p.last_name = "Smith";
  p.email = "jsmith@example.com";
  p.secondary_email = "john-smith@example.com";
  p.phone = "(123) 321-1234";
  p.mobile_phone = "3456787657";
  p.address = "first Street";
  p.city = "Santa Clara";
  p.state = "CA";
  p.zip_code = "34567";
  p.country = "USA";
  p.time_zone = "Europe/London";
  p.preferred_language = "English";
  p.contact_type = "Billing";
  p.job_title = "Engineer";
  p.session_timeout = 64800;
  p.additional_authentication = "TFA";
  return p;
}

// The basic-info request example, with a session timeout U-5 accepts (the
// example's 30 is not a timeout policy, D-8).
UserProfile BasicInfoExample() {
  UserProfile p = CreateExample();
  p.email.clear();
  p.phone = "3456788765";
  p.secondary_email = "john.smith@example.com";
  p.session_timeout = 14400;
  return p;
}

std::string Message(const Status& status) { return status.message(); }

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// Expects a kInvalidArgument refusal whose message begins with `prefix`.
void ExpectRefused(const Status& status, const std::string& prefix) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_TRUE(StartsWith(status.message(), prefix)) << "message: " << status.message() << "\nexpected prefix: " << prefix;
}

// ---------------------------------------------------------------- e-mail

TEST(UserValidationEmailTest, AcceptsTheSpecExamplesAndCommonShapes) {
  for (const char* address :
       {"jsmith@example.com", "john-smith@example.com", "john_smith@example.com", "john.smith@example.com",
        "hgildong@example.com", "jkowalski@example.com", "JSmith@Example.COM", "o'brien+iam@mail.example.co.uk",
        "a@b.io", "x!#$%&'*+/=?^_`{|}~-y@example.com", "user@123.example.com", "user@xn--bcher-kva.example",
        "first.middle.last@a-b.example.org"}) {
    EXPECT_TRUE(IsValidEmail(address)) << address;
  }
}

TEST(UserValidationEmailTest, RefusesMalformedAddresses) {
  for (const char* address :
       {"", "plainaddress", "@example.com", "user@", "user@@example.com", "a@b@example.com", ".user@example.com",
        "user.@example.com", "us..er@example.com", "user@example", "user@example.c", "user@example.c0m",
        "user@-example.com", "user@example-.com", "user@exa_mple.com", "user@example..com", "user@.example.com",
        "user@example.com.", "us er@example.com", "\"quoted\"@example.com", "user@[192.0.2.1]",
        "user(comment)@example.com", "j\xC3\xB6hn@example.com", "user@ex\xC3\xA4mple.com", "user@example.com ",
        " user@example.com", "user@exam ple.com", "user@example.123"}) {
    EXPECT_FALSE(IsValidEmail(address)) << address;
  }
}

TEST(UserValidationEmailTest, LengthLimits) {
  const std::string domain = "@example.com";
  EXPECT_TRUE(IsValidEmail(std::string(64, 'a') + domain));
  EXPECT_FALSE(IsValidEmail(std::string(65, 'a') + domain));

  EXPECT_TRUE(IsValidEmail("a@" + std::string(63, 'b') + ".com"));
  EXPECT_FALSE(IsValidEmail("a@" + std::string(64, 'b') + ".com"));

  // 64 + 1 + 63 + 1 + 63 + 1 + 57 + 4 = 254 bytes.
  const std::string local = std::string(64, 'a') + "@";
  const std::string labels = std::string(63, 'b') + "." + std::string(63, 'c') + ".";
  const std::string longest = local + labels + std::string(57, 'd') + ".com";
  ASSERT_EQ(longest.size(), 254u);
  EXPECT_TRUE(IsValidEmail(longest));
  EXPECT_FALSE(IsValidEmail(local + labels + std::string(58, 'd') + ".com"));
}

TEST(UserValidationEmailTest, ComparisonIgnoresAsciiCase) {
  EXPECT_TRUE(SameEmail("JSmith@Example.COM", "jsmith@example.com"));
  EXPECT_TRUE(SameEmail("", ""));
  EXPECT_FALSE(SameEmail("jsmith@example.com", "jsmith@example.org"));
  EXPECT_FALSE(SameEmail("jsmith@example.com", "jsmith@example.co"));
  EXPECT_EQ(EmailKey("JSmith@Example.COM"), "jsmith@example.com");
  EXPECT_EQ(EmailKey("jsmith@example.com"), "jsmith@example.com");
  EXPECT_EQ(EmailKey(""), "");
  // Bytes outside ASCII are left as they are.
  EXPECT_EQ(EmailKey("\xC3\x84@X.io"), "\xC3\x84@x.io");
}

// ---------------------------------------------------------------- phone

TEST(UserValidationPhoneTest, AcceptsTheSpecExamples) {
  for (const char* number : {"(123) 321-1234", "3456787657", "3456788765", "3456789999", "+44 20 7946 0958"}) {
    EXPECT_TRUE(IsValidPhone(number)) << number;
  }
}

TEST(UserValidationPhoneTest, AcceptsNorthAmericanShapes) {
  for (const char* number :
       {"617-555-0100", "617.555.0100", "617\\555\\0100", "617 555 0100", "(617)555-0100", "(617) 555 0100",
        "1-617-555-0100", "1 617 555 0100", "1(617)555-0100", "+1 617 555 0100", "+ 1 (617) 555-0100",
        "+16175550100", "  617-555-0100", "617  555 0100", "1234567890" /* area code 123, no country code */,
        "617-555-0100 x123", "617-555-0100 123", "617-555-0100-123", "617-555-0100.1", "6175550100123",
        "617-555-0100 x", "617-555-0100-"}) {
    EXPECT_TRUE(IsValidPhone(number)) << number;
  }
  EXPECT_TRUE(IsValidPhone("617-555-0100 x" + std::string(30, '9')));
}

TEST(UserValidationPhoneTest, AcceptsInternationalShapes) {
  for (const char* number : {"+44 20 7946 0958", "+49-30-1234567", "+33 1 23 45 67 89", "+4", "+0 123", "+81 3-1234-5678 "}) {
    EXPECT_TRUE(IsValidPhone(number)) << number;
  }
  EXPECT_TRUE(IsValidPhone("+4" + std::string(40, '5')));
}

TEST(UserValidationPhoneTest, RefusesEverythingElse) {
  for (const char* number :
       {"", "phone", "0123456789" /* area code starts with 0 */, "+1 017 555 0100", "617-555-010", "123-45-6789",
        "617x555x0100", "617-555-0100x123" /* the extension needs " x" */, "617-555-0100 ext 123",
        "617--555-0100", "617-555  0100", "617-555-0100 x12a", "+1", "+", "+12", "+1 44 20 7946 0958",
        "+44 (20) 7946 0958", "+44.20.7946.0958", "+44 20 7946 0958 x1", " +44 20 7946 0958", "++44 20",
        "617/555/0100", "617-555-0100\t", "\xEF\xBC\x96\xEF\xBC\x91\xEF\xBC\x97-555-0100" /* full-width digits */}) {
    EXPECT_FALSE(IsValidPhone(number)) << number;
  }
  EXPECT_FALSE(IsValidPhone("617-555-0100 x" + std::string(31, '9')));
  EXPECT_FALSE(IsValidPhone("+4" + std::string(41, '5')));
}

// ---------------------------------------------------------------- profile

TEST(UserValidationProfileTest, AcceptsTheSpecExamples) {
  EXPECT_TRUE(ValidateProfile(CreateExample(), ProfileUse::kCreate).ok())
      << ValidateProfile(CreateExample(), ProfileUse::kCreate).ToString();
  EXPECT_TRUE(ValidateProfile(BasicInfoExample(), ProfileUse::kBasicInfo).ok())
      << ValidateProfile(BasicInfoExample(), ProfileUse::kBasicInfo).ToString();
  // The create body is also a complete basic-info body.
  EXPECT_TRUE(ValidateProfile(CreateExample(), ProfileUse::kBasicInfo).ok());
}

TEST(UserValidationProfileTest, SpecExamplesWithGmt) {
  if (!Lookups::Get().IsTimezone("GMT")) {
    GTEST_SKIP() << "commands/lookups/timezones.json has no \"GMT\", the timeZone of every user example in the spec "
                    "and the U-5 default (D-8: every example value must be accepted)";
  }
  UserProfile create = CreateExample();
  create.time_zone = "GMT";
  EXPECT_TRUE(ValidateProfile(create, ProfileUse::kCreate).ok());
  UserProfile basic = BasicInfoExample();
  basic.time_zone = "GMT";
  EXPECT_TRUE(ValidateProfile(basic, ProfileUse::kBasicInfo).ok());
}

TEST(UserValidationProfileTest, BasicInfoExampleSessionTimeoutIsRefused) {
  UserProfile p = BasicInfoExample();
  p.session_timeout = 30;  // the spec's example value; D-8, U-5
  const Status status = ValidateProfile(p, ProfileUse::kBasicInfo);
  ExpectRefused(status, "sessionTimeOut 30 ");
  EXPECT_EQ(Message(status), "sessionTimeOut 30 is not one of the values (seconds) of GET /user-admin/common/timeout-policies");
}

TEST(UserValidationProfileTest, CreateRequiresItsMembers) {
  const std::vector<std::pair<std::string, std::string UserProfile::*>> required = {
      {"firstName", &UserProfile::first_name},
      {"lastName", &UserProfile::last_name},
      {"email", &UserProfile::email},
      {"country", &UserProfile::country},
      {"additionalAuthentication", &UserProfile::additional_authentication},
  };
  for (const auto& [member, field] : required) {
    UserProfile p = CreateExample();
    (p.*field).clear();
    const Status status = ValidateProfile(p, ProfileUse::kCreate);
    ExpectRefused(status, member + " is required");
  }
}

TEST(UserValidationProfileTest, CreateLeavesTheDefaultedMembersOptional) {
  UserProfile p = CreateExample();
  p.preferred_language.clear();
  p.time_zone.clear();
  p.session_timeout = 0;
  p.secondary_email.clear();
  p.phone.clear();
  p.mobile_phone.clear();
  p.address.clear();
  p.city.clear();
  p.state.clear();
  p.zip_code.clear();
  p.contact_type.clear();
  p.job_title.clear();
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << ValidateProfile(p, ProfileUse::kCreate).ToString();
}

TEST(UserValidationProfileTest, BasicInfoRequiresItsMembers) {
  const std::vector<std::pair<std::string, std::string UserProfile::*>> required = {
      {"firstName", &UserProfile::first_name},   {"lastName", &UserProfile::last_name},
      {"country", &UserProfile::country},        {"preferredLanguage", &UserProfile::preferred_language},
      {"timeZone", &UserProfile::time_zone},
  };
  for (const auto& [member, field] : required) {
    UserProfile p = BasicInfoExample();
    (p.*field).clear();
    ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), member + " is required");
  }
  UserProfile p = BasicInfoExample();
  p.session_timeout = 0;
  ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), "sessionTimeOut is required");
}

TEST(UserValidationProfileTest, BasicInfoMayLeaveOutEmailAndAdditionalAuthentication) {
  // D-5: the PUT keeps the stored values of both.
  UserProfile p = BasicInfoExample();
  p.email.clear();
  p.additional_authentication.clear();
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok());
  // Given, they must be valid.
  p.email = "not-an-address";
  ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), "email 'not-an-address' ");
  p.email = "jsmith@example.com";
  p.additional_authentication = "SMS";
  ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), "additionalAuthentication 'SMS' ");
}

TEST(UserValidationProfileTest, NameLengths) {
  for (auto field : {&UserProfile::first_name, &UserProfile::last_name}) {
    const std::string member = field == &UserProfile::first_name ? "firstName" : "lastName";
    for (ProfileUse use : {ProfileUse::kCreate, ProfileUse::kBasicInfo}) {
      UserProfile p = CreateExample();
      p.*field = std::string(50, 'n');
      EXPECT_TRUE(ValidateProfile(p, use).ok()) << member;
      // Characters, not bytes: 50 two-byte letters are fine.
      (p.*field).clear();
      for (int i = 0; i < 50; ++i) p.*field += "\xC3\xA9";
      EXPECT_TRUE(ValidateProfile(p, use).ok()) << member;
      p.*field += "\xC3\xA9";
      const Status too_long = ValidateProfile(p, use);
      ExpectRefused(too_long, member + " must be 1 to 50 characters");
      EXPECT_EQ(Message(too_long), member + " must be 1 to 50 characters");
      p.*field = "   ";
      ExpectRefused(ValidateProfile(p, use), member + " must be 1 to 50 characters");
      p.*field = "Ng";
      EXPECT_TRUE(ValidateProfile(p, use).ok());
    }
  }
}

TEST(UserValidationProfileTest, FreeTextLengths) {
  UserProfile p = CreateExample();
  p.job_title = std::string(75, 'j');
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok());
  p.job_title += 'j';
  ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), "jobTitle must be at most 75 characters");
  p.job_title.clear();  // X-21: "" is absent
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok());

  const std::vector<std::pair<std::string, std::string UserProfile::*>> free_text = {
      {"address", &UserProfile::address}, {"city", &UserProfile::city}, {"zipCode", &UserProfile::zip_code}};
  for (const auto& [member, field] : free_text) {
    UserProfile q = CreateExample();
    q.*field = std::string(255, 'x');
    EXPECT_TRUE(ValidateProfile(q, ProfileUse::kCreate).ok()) << member;
    q.*field += 'x';
    ExpectRefused(ValidateProfile(q, ProfileUse::kCreate), member + " must be at most 255 characters");
  }
}

TEST(UserValidationProfileTest, ControlCharactersAreRefusedInEveryString) {
  const std::vector<std::pair<std::string, std::string UserProfile::*>> strings = {
      {"firstName", &UserProfile::first_name},
      {"lastName", &UserProfile::last_name},
      {"email", &UserProfile::email},
      {"secondaryEmail", &UserProfile::secondary_email},
      {"phone", &UserProfile::phone},
      {"mobilePhone", &UserProfile::mobile_phone},
      {"address", &UserProfile::address},
      {"city", &UserProfile::city},
      {"state", &UserProfile::state},
      {"zipCode", &UserProfile::zip_code},
      {"country", &UserProfile::country},
      {"timeZone", &UserProfile::time_zone},
      {"preferredLanguage", &UserProfile::preferred_language},
      {"contactType", &UserProfile::contact_type},
      {"jobTitle", &UserProfile::job_title},
      {"additionalAuthentication", &UserProfile::additional_authentication},
  };
  // NUL, tab, line feed, DEL, and U+0085 (NEL, a C1 control).
  const std::vector<std::string> controls = {std::string(1, '\0'), "\t", "\n", "\x7f", "\xC2\x85"};
  for (const auto& [member, field] : strings) {
    for (const std::string& control : controls) {
      UserProfile p = CreateExample();
      p.*field += control;
      const Status status = ValidateProfile(p, ProfileUse::kCreate);
      EXPECT_EQ(Message(status), member + " must not contain control characters");
    }
  }
  // Letters just above the C1 block are not controls.
  UserProfile p = CreateExample();
  p.city = "Z\xC2\xA0rich \xC3\xA9";  // no-break space, é
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok());
}

TEST(UserValidationProfileTest, EmailMembersMustBeAddresses) {
  UserProfile p = CreateExample();
  p.email = "jsmith@example";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "email 'jsmith@example' is not a valid e-mail address");
  p = CreateExample();
  p.secondary_email = "john smith@example.com";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "secondaryEmail 'john smith@example.com' ");
  p.secondary_email.clear();
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok());
}

TEST(UserValidationProfileTest, PhoneMembersMustHaveAnAcceptedShape) {
  UserProfile p = CreateExample();
  p.phone = "555-0100";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "phone '555-0100' ");
  p = CreateExample();
  p.mobile_phone = "+1 017 555 0100";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "mobilePhone '+1 017 555 0100' ");
  p.mobile_phone = "+44 20 7946 0958";
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok());
}

TEST(UserValidationProfileTest, CountryComesFromTheLookup) {
  UserProfile p = CreateExample();
  p.country = "Atlantis";
  p.state.clear();
  const Status status = ValidateProfile(p, ProfileUse::kCreate);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "country 'Atlantis' is not one of the countries of GET /user-admin/common/countries");
  // Akamai's spelling, exactly (D-8).
  p.country = "usa";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "country 'usa' ");
  p.country = "United States";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "country 'United States' ");
  for (const char* country : {"USA", "Canada", "Greece", "United Kingdom", "Bolivia, Plurinational State o"}) {
    p.country = country;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << country;
  }
}

TEST(UserValidationProfileTest, UsaStates) {
  UserProfile p = CreateExample();
  for (const char* state : {"CA", "NY", "DC", "PR", "TBD", "ca" /* the lookup matches ignoring case */, ""}) {
    p.state = state;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << state;
  }
  for (const char* state : {"ZZ", "California", "ON", "C A"}) {
    p.state = state;
    ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), std::string("state '") + state + "' ");
  }
  p.state = "ZZ";
  EXPECT_EQ(Message(ValidateProfile(p, ProfileUse::kCreate)),
            "state 'ZZ' is not one of the states of GET /user-admin/common/countries/USA/states");
}

TEST(UserValidationProfileTest, CanadaStates) {
  UserProfile p = CreateExample();
  p.country = "Canada";
  for (const char* state : {"ON", "QC", "BC", "TBD", "on", ""}) {
    p.state = state;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok()) << state;
  }
  for (const char* state : {"CA", "TX", "Ontario"}) {
    p.state = state;
    ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), std::string("state '") + state + "' ");
  }
}

TEST(UserValidationProfileTest, OtherCountriesTakeAStateAsFreeText) {
  UserProfile p = CreateExample();
  p.country = "Greece";
  for (const char* state : {"Attica", "CA", "TBD", "Île-de-France", ""}) {
    p.state = state;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << state;
  }
  p.state = std::string(256, 's');
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "state must be at most 255 characters");
}

TEST(UserValidationProfileTest, TimeZoneLanguageAndContactTypeComeFromTheLookups) {
  UserProfile p = CreateExample();
  p.time_zone = "Mars/Olympus_Mons";
  EXPECT_EQ(Message(ValidateProfile(p, ProfileUse::kCreate)),
            "timeZone 'Mars/Olympus_Mons' is not one of the time zones of GET /user-admin/common/timezones");
  for (const char* zone : {"Africa/Abidjan", "Etc/GMT+3", "Europe/London"}) {
    p.time_zone = zone;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << zone;
  }

  p = CreateExample();
  p.preferred_language = "Klingon";
  EXPECT_EQ(Message(ValidateProfile(p, ProfileUse::kBasicInfo)),
            "preferredLanguage 'Klingon' is not one of the languages of GET /user-admin/common/supported-languages");
  p.preferred_language = "english";
  ExpectRefused(ValidateProfile(p, ProfileUse::kBasicInfo), "preferredLanguage 'english' ");
  for (const char* language : {"English", "Deutsch", "Español (España)", "日本語", "中文 (简体)"}) {
    p.preferred_language = language;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok()) << language;
  }

  p = CreateExample();
  p.contact_type = "Sales";
  EXPECT_EQ(Message(ValidateProfile(p, ProfileUse::kCreate)),
            "contactType 'Sales' is not one of the contact types of GET /user-admin/common/contact-types");
  for (const char* type : {"Billing", "Technical Decision Maker", "Business Decision Maker", "Security", ""}) {
    p.contact_type = type;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << type;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok()) << type;
  }
}

TEST(UserValidationProfileTest, SessionTimeoutIsATimeoutPolicyValue) {
  UserProfile p = CreateExample();
  for (int64_t seconds : {900, 1800, 2700, 3600, 7200, 14400, 64800}) {
    p.session_timeout = seconds;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kBasicInfo).ok()) << seconds;
  }
  for (int64_t seconds : {30, 60, 901, 86400, -900}) {
    p.session_timeout = seconds;
    ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), "sessionTimeOut " + std::to_string(seconds) + " ");
  }
  p.session_timeout = 0;  // absent: fine on create, where it gets the default
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok());
}

TEST(UserValidationProfileTest, AdditionalAuthenticationIsTfaMfaOrNone) {
  UserProfile p = CreateExample();
  for (const char* value : {"TFA", "MFA", "NONE"}) {
    p.additional_authentication = value;
    EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << value;
  }
  for (const char* value : {"tfa", "None", "SMS", "TFA "}) {
    p.additional_authentication = value;
    const Status status = ValidateProfile(p, ProfileUse::kCreate);
    ExpectRefused(status, std::string("additionalAuthentication '") + value + "' ");
  }
  p.additional_authentication = "SMS";
  EXPECT_EQ(Message(ValidateProfile(p, ProfileUse::kCreate)), "additionalAuthentication 'SMS' must be TFA, MFA or NONE");
}

// The Terraform provider picks its advice with these patterns, in this order
// (resourceIAMUserErrorAdvice); each lookup error must reach its own advice.
std::string TerraformAdvice(const std::string& error) {
  const std::vector<std::pair<std::regex, std::string>> tips = {
      {std::regex(R"(\b(preferredLanguage|[pP]referred [lL]anguage)\b)"), "preferredLanguage"},
      {std::regex(R"(\b(contactType|[cC]ontact [tT]ype)\b)"), "contactType"},
      {std::regex(R"(\b[cC]ountry\b)"), "country"},
      {std::regex(R"(\b(sessionTimeOut|[sS]ession [tT]ime ?[oO]ut)\b)"), "sessionTimeOut"},
      {std::regex(R"(\b[sS]tate\b)"), "state"},
  };
  for (const auto& [pattern, tip] : tips) {
    if (std::regex_search(error, pattern)) return tip;
  }
  return "";
}

TEST(UserValidationProfileTest, TerraformFindsTheMemberInEveryLookupError) {
  struct Case {
    std::string member;
    UserProfile profile;
  };
  std::vector<Case> cases;
  UserProfile p = CreateExample();
  p.preferred_language = "Klingon";
  cases.push_back({"preferredLanguage", p});
  p = CreateExample();
  p.contact_type = "Sales";
  cases.push_back({"contactType", p});
  p = CreateExample();
  p.country = "Atlantis";
  cases.push_back({"country", p});
  p = CreateExample();
  p.session_timeout = 30;
  cases.push_back({"sessionTimeOut", p});
  p = CreateExample();
  p.state = "ZZ";
  cases.push_back({"state", p});
  p = CreateExample();
  p.country = "Canada";
  p.state = "TX";
  cases.push_back({"state", p});
  for (const Case& c : cases) {
    const Status status = ValidateProfile(c.profile, ProfileUse::kCreate);
    ASSERT_FALSE(status.ok()) << c.member;
    EXPECT_EQ(TerraformAdvice(status.message()), c.member) << status.message();
  }
  // Errors about other members point at no lookup.
  p = CreateExample();
  p.time_zone = "Mars/Base";
  EXPECT_EQ(TerraformAdvice(ValidateProfile(p, ProfileUse::kCreate).message()), "");
  p = CreateExample();
  p.phone = "12";
  EXPECT_EQ(TerraformAdvice(ValidateProfile(p, ProfileUse::kCreate).message()), "");
}

TEST(UserValidationProfileTest, LongValuesAreQuotedShort) {
  UserProfile p = CreateExample();
  p.country = std::string(1000, 'A');
  const Status status = ValidateProfile(p, ProfileUse::kCreate);
  ExpectRefused(status, "country '" + std::string(64, 'A') + "…' is not one of the countries");
  EXPECT_LT(status.message().size(), 200u);
  // Cut between characters, never inside one.
  p.country.clear();
  for (int i = 0; i < 100; ++i) p.country += "\xC3\xA9";
  std::string expected = "country '";
  for (int i = 0; i < 64; ++i) expected += "\xC3\xA9";
  ExpectRefused(ValidateProfile(p, ProfileUse::kCreate), expected + "…' ");
}

// ---------------------------------------------------------------- defaults

TEST(UserValidationDefaultsTest, FillsOnlyWhatIsAbsent) {
  UserProfile p;
  ApplyProfileDefaults(p);
  EXPECT_EQ(p.preferred_language, "English");
  EXPECT_EQ(p.time_zone, "GMT");
  EXPECT_EQ(p.session_timeout, 64800);
  EXPECT_TRUE(p.contact_type.empty());
  EXPECT_TRUE(p.additional_authentication.empty());

  UserProfile set = CreateExample();
  set.preferred_language = "Deutsch";
  set.time_zone = "Africa/Abidjan";
  set.session_timeout = 900;
  UserProfile copy = set;
  ApplyProfileDefaults(copy);
  EXPECT_EQ(copy, set);
}

TEST(UserValidationDefaultsTest, LanguageAndTimeoutDefaultsAreLookupValues) {
  UserProfile p;
  ApplyProfileDefaults(p);
  EXPECT_TRUE(Lookups::Get().IsLanguage(p.preferred_language));
  EXPECT_TRUE(Lookups::Get().IsSessionTimeout(p.session_timeout));
}

TEST(UserValidationDefaultsTest, DefaultedCreateProfileValidates) {
  if (!Lookups::Get().IsTimezone("GMT")) {
    GTEST_SKIP() << "the U-5 default time zone \"GMT\" is not in commands/lookups/timezones.json";
  }
  UserProfile p = CreateExample();
  p.preferred_language.clear();
  p.time_zone.clear();
  p.session_timeout = 0;
  ApplyProfileDefaults(p);
  EXPECT_TRUE(ValidateProfile(p, ProfileUse::kCreate).ok()) << ValidateProfile(p, ProfileUse::kCreate).ToString();
}

// ---------------------------------------------------------------- notifications

TEST(UserValidationNotificationsTest, AcceptsLookupProducts) {
  EXPECT_TRUE(ValidateNotifications(NotificationSettings{}).ok());
  NotificationSettings n;
  n.proactive = {"EdgeScape", "NetStorage", "Secure FreeFlow (HTTPS Content Delivery using ARLs)"};
  n.upgrade = {"NetStorage", "Security"};  // the same product in both lists is fine
  EXPECT_TRUE(ValidateNotifications(n).ok()) << ValidateNotifications(n).ToString();
}

TEST(UserValidationNotificationsTest, RefusesUnknownProducts) {
  NotificationSettings n;
  n.proactive = {"EdgeScape", "Teleportation"};
  const Status status = ValidateNotifications(n);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            "proactive 'Teleportation' is not one of the products of GET /user-admin/common/notification-products");
  n.proactive.clear();
  n.upgrade = {"netstorage"};
  ExpectRefused(ValidateNotifications(n), "upgrade 'netstorage' is not one of the products");
  n.upgrade = {""};
  ExpectRefused(ValidateNotifications(n), "upgrade '' is not one of the products");
  n.upgrade = {"NetStorage\n"};
  EXPECT_EQ(Message(ValidateNotifications(n)), "upgrade must not contain control characters");
}

TEST(UserValidationNotificationsTest, RefusesDuplicates) {
  NotificationSettings n;
  n.upgrade = {"NetStorage", "EdgeScape", "NetStorage"};
  EXPECT_EQ(Message(ValidateNotifications(n)), "upgrade names 'NetStorage' twice");
  n.upgrade.clear();
  n.proactive = {"Security", "Security"};
  EXPECT_EQ(Message(ValidateNotifications(n)), "proactive names 'Security' twice");
}

TEST(UserValidationNotificationsTest, SpecExampleProducts) {
  const std::vector<std::string> example = {"EdgeScape", "EdgeSuite (HTTP Content Delivery)", "NetStorage",
                                            "Other Upgrade Notifications (Planned)"};
  for (const std::string& product : example) {
    if (!Lookups::Get().IsNotificationProduct(product)) {
      GTEST_SKIP() << "commands/lookups/notification-products.json lacks \"" << product
                   << "\", used by the spec's notification examples (D-8)";
    }
  }
  NotificationSettings n;
  n.proactive = {"EdgeScape", "EdgeSuite (HTTP Content Delivery)"};
  n.upgrade = {"NetStorage", "Other Upgrade Notifications (Planned)"};
  EXPECT_TRUE(ValidateNotifications(n).ok());
}

}  // namespace
}  // namespace iam::commands
