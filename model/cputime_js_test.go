//go:build js || wasip1

package model

func processCPUSeconds() float64 { return 0 }
