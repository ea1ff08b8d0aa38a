// How much one smoke run may ask for: the suite at most 10 times (10 passes out of 10 is the
// evidence a tier move needs), one run at a time per model, and a run that meets three timeouts in
// a row stops there (a hung model server would otherwise keep it going for every task's timeout).
export const SMOKE_MAX_REPEAT = 10;
export const SMOKE_MAX_CONSECUTIVE_TIMEOUTS = 3;
