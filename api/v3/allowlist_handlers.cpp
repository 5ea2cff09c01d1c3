#include "api/v3/allowlist_handlers.h"

#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/integer_ids.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "commands/allowlist_commands.h"
#include "commands/cidr.h"
#include "events/clock.h"
#include "projections/allowlist_read_model.h"

namespace iam::api {
namespace {

using projections::AllowlistDirectory;
using projections::CidrBlockRecord;

constexpr std::string_view kAllowlistPath = "/identity-management/v3/user-admin/ip-acl/allowlist";
constexpr std::string_view kIpAclErrors = "/ip-acl/error-types/";

// the types Akamai's service answers carry their own titles; every
// other refusal is the common mapping in the ip-acl family.
HttpResponse AllowlistProblem(const Status& status, std::string_view instance) {
  ProblemFields p;
  p.type = std::string(kIpAclErrors) + std::to_string(status.reason());
  p.detail = status.message();
  p.instance = std::string(instance);
  if (status.code() == StatusCode::kNotFound && status.reason() == commands::kCidrBlockNotFound) {
    p.status = 404;
    p.title = "no data found";
    return IamProblem(p);
  }
  if (status.reason() == commands::kCidrFormatIncorrect &&
      (status.code() == StatusCode::kPermissionDenied || status.code() == StatusCode::kInvalidArgument)) {
    // I-13: 403 on create and modify; I-3: 400 on validate.
    p.status = status.code() == StatusCode::kPermissionDenied ? 403 : 400;
    p.title = "CIDR format not correct";
    return IamProblem(p);
  }
  return ProblemFromStatus(status, kIpAclErrors, instance);
}

void RespondWithAllowlistError(const ApiCall& call, const Status& status) {
  call.respond(AllowlistProblem(status, call.request.path));
}

// The ip-acl-200 schema; comments is null when there are none (X-15, D-6),
// actions only when asked for (I-11) and then from the checks the commands
// make (D-9).
boost::json::object BlockJson(const AllowlistDirectory& allowlist, const CidrBlockRecord& block, bool actions,
                              std::string_view caller) {
  boost::json::object o{{"cidrBlockId", block.cidr_block_id},
                        {"enabled", block.enabled},
                        {"cidrBlock", block.cidr_block},
                        {"createdBy", block.created_by},
                        {"createdDate", FormatTimestampMillis(block.created_ms)},
                        {"modifiedBy", block.modified_by},
                        {"modifiedDate", FormatTimestampMillis(block.modified_ms)}};
  if (block.comments.empty()) {
    o["comments"] = nullptr;
  } else {
    o["comments"] = block.comments;
  }
  if (actions) {
    const std::string& account = block.account_id;
    o["actions"] = boost::json::object{
        {"edit", commands::CheckCidrBlockEditable(allowlist, account, block.cidr_block_id, caller).ok()},
        {"delete", commands::CheckCidrBlockDeletable(allowlist, account, block.cidr_block_id, caller).ok()}};
  }
  return o;
}

// The create and modify body (post-ip-acl schema, closed): {cidrBlock,
// enabled, comments?}. comments null is taken as none, so that a block read
// back (comments: null) can be sent again.
struct CidrBlockBody {
  std::string cidr_block;
  std::optional<std::string> comments;
  bool enabled = false;
};

Result<CidrBlockBody> ParseCidrBlockBody(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  CidrBlockBody body;
  bool has_block = false, has_enabled = false;
  for (const auto& [key, member] : value.as_object()) {
    if (key == "cidrBlock") {
      if (!member.is_string()) return Status::InvalidArgument("cidrBlock must be a string");
      body.cidr_block = std::string(member.as_string());
      if (body.cidr_block.empty()) return Status::InvalidArgument("cidrBlock must not be empty");
      has_block = true;
    } else if (key == "enabled") {
      if (!member.is_bool()) return Status::InvalidArgument("enabled must be true or false");
      body.enabled = member.as_bool();
      has_enabled = true;
    } else if (key == "comments") {
      if (member.is_null()) continue;
      if (!member.is_string()) return Status::InvalidArgument("comments must be a string");
      body.comments = std::string(member.as_string());
    } else {
      return Status::InvalidArgument("unknown member '" + std::string(key) + "'");
    }
  }
  if (!has_block || !has_enabled) return Status::InvalidArgument("cidrBlock and enabled are required");
  return body;
}

class AllowlistRoutes {
 public:
  AllowlistRoutes(projections::ProjectionRunner& runner, commands::CommandProcessor& processor)
      : runner_(runner), processor_(processor) {}

  void List(const std::shared_ptr<ApiCall>& call) {
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return RespondWithAllowlistError(*call, actions.status());
    auto allowlist = Allowlist(*call);
    if (!allowlist) return;
    boost::json::array list;
    for (const CidrBlockRecord* block : allowlist->OfAccount(call->context.account_id)) {
      list.push_back(BlockJson(*allowlist, *block, *actions, call->context.remote_address));
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  void Get(const std::shared_ptr<ApiCall>& call) {
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return RespondWithAllowlistError(*call, actions.status());
    auto id = BlockId(*call);
    if (!id.ok()) return RespondWithAllowlistError(*call, id.status());
    RespondWithBlock(call, *id, *actions, 200, nullptr);
  }

  void Create(const std::shared_ptr<ApiCall>& call) {
    auto body = ParseCidrBlockBody(call->request.body);
    if (!body.ok()) return RespondWithAllowlistError(*call, body.status());
    SubmitCommand(processor_, call,
                  std::make_unique<commands::CreateCidrBlock>(body->cidr_block, body->comments, body->enabled),
                  RespondWithAllowlistError,
                  [this](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    // I-1: the 201 carries no actions.
                    RespondWithBlock(call, outcome.created_id, false, 201, &outcome);
                  });
  }

  void Modify(const std::shared_ptr<ApiCall>& call) {
    auto id = BlockId(*call);
    if (!id.ok()) return RespondWithAllowlistError(*call, id.status());
    auto body = ParseCidrBlockBody(call->request.body);
    if (!body.ok()) return RespondWithAllowlistError(*call, body.status());
    const int64_t block_id = *id;
    SubmitCommand(processor_, call,
                  std::make_unique<commands::ModifyCidrBlock>(block_id, body->cidr_block, body->comments,
                                                              body->enabled, call->context.remote_address),
                  RespondWithAllowlistError,
                  [this, block_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    RespondWithBlock(call, block_id, false, 200, &outcome);
                  });
  }

  void Delete(const std::shared_ptr<ApiCall>& call) {
    auto id = BlockId(*call);
    if (!id.ok()) return RespondWithAllowlistError(*call, id.status());
    SubmitCommand(processor_, call, std::make_unique<commands::DeleteCidrBlock>(*id, call->context.remote_address),
                  RespondWithAllowlistError, RespondNoContent);
  }

  // I-3: the format only; duplicates are the create's business (I-4).
  void Validate(const std::shared_ptr<ApiCall>& call) {
    // The spec names the parameter cidrblock; the camel-case spelling of the
    // body member is taken too.
    std::optional<std::string> text = call->query.Get("cidrblock");
    if (!text) text = call->query.Get("cidrBlock");
    if (!text) {
      return RespondWithAllowlistError(*call, Status::InvalidArgument("the query parameter cidrblock is required"));
    }
    auto parsed = commands::ParseCidr(commands::TrimCidrText(*text));
    if (!parsed.ok()) {
      const std::string why = "invalid cidr format: " + parsed.status().message();
      return RespondWithAllowlistError(*call, Status::InvalidArgument(why).WithReason(commands::kCidrFormatIncorrect));
    }
    call->respond(NoContent());
  }

  void GetStatus(const std::shared_ptr<ApiCall>& call) {
    auto allowlist = Allowlist(*call);
    if (!allowlist) return;
    const boost::json::object body{{"enabled", allowlist->Enabled(call->context.account_id)}};
    call->respond(JsonResponse(200, boost::json::serialize(body)));
  }

  void Enable(const std::shared_ptr<ApiCall>& call) {
    SubmitCommand(processor_, call, std::make_unique<commands::EnableAllowlist>(call->context.remote_address),
                  RespondWithAllowlistError, RespondNoContent);
  }

  void Disable(const std::shared_ptr<ApiCall>& call) {
    SubmitCommand(processor_, call, std::make_unique<commands::DisableAllowlist>(), RespondWithAllowlistError,
                  RespondNoContent);
  }

 private:
  static Result<int64_t> BlockId(const ApiCall& call) { return ParseId(call.path.Get("cidrBlockId"), "cidrBlockId"); }

  // The read model's published version, or nullptr after answering 503.
  std::shared_ptr<const AllowlistDirectory> Allowlist(const ApiCall& call) const {
    auto model = ServingReadModel<projections::AllowlistReadModel>(runner_, projections::kAllowlistProjection, call);
    return model ? model->Published() : nullptr;
  }

  void RespondWithBlock(const std::shared_ptr<ApiCall>& call, int64_t block_id, bool actions, int status,
                        const commands::CommandOutcome* outcome) {
    auto allowlist = Allowlist(*call);
    if (!allowlist) return;
    const CidrBlockRecord* block = allowlist->Find(call->context.account_id, block_id);
    if (!block) {
      return RespondWithAllowlistError(*call, Status::NotFound("CIDR block " + std::to_string(block_id) + " not found")
                                                  .WithReason(commands::kCidrBlockNotFound));
    }
    HttpResponse response = JsonResponse(
        status, boost::json::serialize(BlockJson(*allowlist, *block, actions, call->context.remote_address)));
    response.SetHeader("ETag", ETagOf(block->version));
    if (outcome) AddEventDetails(response, *outcome);
    if (status == 201) response.SetHeader("Location", std::string(kAllowlistPath) + "/" + std::to_string(block_id));
    call->respond(std::move(response));
  }

  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
};

}  // namespace

void AddAllowlistRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor) {
  auto routes = std::make_shared<AllowlistRoutes>(runner, processor);
  const std::string base(kAllowlistPath);
  auto bind = [routes](void (AllowlistRoutes::*method)(const std::shared_ptr<ApiCall>&)) {
    return [routes, method](std::shared_ptr<ApiCall> call) { ((*routes).*method)(call); };
  };
  router.Add("GET", base, bind(&AllowlistRoutes::List));
  router.Add("POST", base, bind(&AllowlistRoutes::Create));
  router.Add("GET", base + "/status", bind(&AllowlistRoutes::GetStatus));
  router.Add("GET", base + "/validate", bind(&AllowlistRoutes::Validate));
  router.Add("POST", base + "/enable", bind(&AllowlistRoutes::Enable));
  router.Add("POST", base + "/disable", bind(&AllowlistRoutes::Disable));
  router.Add("GET", base + "/{cidrBlockId}", bind(&AllowlistRoutes::Get));
  router.Add("PUT", base + "/{cidrBlockId}", bind(&AllowlistRoutes::Modify));
  router.Add("DELETE", base + "/{cidrBlockId}", bind(&AllowlistRoutes::Delete));
}

}  // namespace iam::api
