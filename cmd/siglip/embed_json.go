package main

import (
	"encoding/json"
	"io"
)

// jsonObject streams a JSON object whose values are matrices, one row at a
// time, so embed's output never sits in memory whole. Rows are written as
// encoding/json writes a []float32 (the shortest decimal that reads back).
type jsonObject struct {
	w             io.Writer
	err           error
	keys, rowsOut int
}

func newJSONObject(w io.Writer) *jsonObject {
	o := &jsonObject{w: w}
	o.write([]byte("{"))
	return o
}

func (o *jsonObject) write(b []byte) {
	if o.err == nil {
		_, o.err = o.w.Write(b)
	}
}

// key starts the matrix value of name.
func (o *jsonObject) key(name string) {
	if o.keys > 0 {
		o.write([]byte(","))
	}
	o.keys++
	b, _ := json.Marshal(name)
	o.write(append(b, ":["...))
	o.rowsOut = 0
}

// rows appends the rows of v[..][d] to the current matrix.
func (o *jsonObject) rows(v []float32, d int) {
	for i := 0; i+d <= len(v); i += d {
		if o.rowsOut > 0 {
			o.write([]byte(","))
		}
		o.rowsOut++
		b, err := json.Marshal(v[i : i+d])
		if err != nil && o.err == nil {
			o.err = err
		}
		o.write(b)
	}
}

// end closes the current matrix.
func (o *jsonObject) end() { o.write([]byte("]")) }

// close ends the object (with a newline, as json.Encoder did) and
// reports the first write error.
func (o *jsonObject) close() error {
	o.write([]byte("}\n"))
	return o.err
}
