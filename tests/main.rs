//! Every in-process, command-line and real-browser test of entente, in one test binary:
//! a clean build links and stores one executable instead of one per file (each carries
//! the whole application and its dependencies). `cargo test NAME` still picks tests by
//! module, e.g. `cargo test --test integration browser::`.

mod support;

mod accounts;
mod api;
mod browser;
mod data;
mod editing;
mod exports;
mod facets;
mod filters;
mod history;
mod import;
mod page_cache;
mod pages;
mod paging;
mod provenance;
mod read_index;
mod records;
mod robustness;
mod search;
mod server;
mod subjects;
mod versions;
