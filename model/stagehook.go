package model

// StageHook, when non-nil, is called at the end of each stage of a forward
// pass (patch embedding, each layer's layernorms, projections, attention,
// activation, residual adds, the pooling head) with the stage's name, so a
// profiler can time the stages (build/bench/ourswasm). nil in normal use:
// the cost is then one nil check per stage. Not safe to change while a
// forward pass runs.
var StageHook func(stage string)

func stage(name string) {
	if StageHook != nil {
		StageHook(name)
	}
}
