package locales_test

import (
	"testing"

	"examdesk/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Main(m) }
