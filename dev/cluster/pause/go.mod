// The pod sandbox process for the local node: no image can be pulled here, so the
// sandbox image is built locally around this static binary.
module clairvoyance.dev/dev/cluster/pause

go 1.24.0
