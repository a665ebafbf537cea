#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    silent_tower_router_fuzz::route_table(data);
});
