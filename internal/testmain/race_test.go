//go:build race

package testmain_test

func race() bool { return true }
