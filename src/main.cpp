#include "cli/app.hpp"

int main(int argc, char** argv) {
  return distill::cli::run(argc, argv);
}
