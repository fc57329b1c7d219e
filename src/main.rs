//! The `meent` binary. The allocator is chosen here, for the program, not by the library:
//! mimalloc's per-thread free lists keep many workers' short-lived allocations from contending
//! (see `Cargo.toml`); benchmarks choose the same in their own `main`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meent::cli::run()
}
