#include "projections/read_model_view.h"

namespace iam::projections {
namespace {

thread_local const ReadModelView* current_view = nullptr;

}  // namespace

ReadModelView::ReadModelView(uint64_t position, std::vector<std::pair<std::string, std::shared_ptr<Projection>>> models)
    : position_(position), models_(std::move(models)) {}

std::shared_ptr<Projection> ReadModelView::Find(std::string_view name) const {
  for (const auto& [model_name, model] : models_) {
    if (model_name == name) return model;
  }
  return nullptr;
}

const ReadModelView* CurrentReadModelView() { return current_view; }

ScopedReadModelView::ScopedReadModelView(std::shared_ptr<const ReadModelView> view)
    : view_(std::move(view)), previous_(current_view) {
  current_view = view_.get();
}

ScopedReadModelView::~ScopedReadModelView() { current_view = previous_; }

ScopedLiveReadModels::ScopedLiveReadModels() : previous_(current_view) { current_view = nullptr; }

ScopedLiveReadModels::~ScopedLiveReadModels() { current_view = previous_; }

}  // namespace iam::projections
