//go:build !race

package testmain

// race is whether the binary was built with -race.
const race = false
