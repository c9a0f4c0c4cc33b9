package dev.interlace.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link UnsupportedConnectionFailureAnalyzer}.
 */
class UnsupportedConnectionFailureAnalyzerTests {

	@Test
	void analysisSeparatesWhatIsUnsupportedFromHowToFixIt() {
		UnsupportedConnectionException cause = new UnsupportedConnectionException("Connection 'default' is MySQL.",
				"Set interlace.connections.default.type=duckdb.");
		FailureAnalysis analysis = new UnsupportedConnectionFailureAnalyzer()
			.analyze(new BeanCreationException("interlaceStores", "failed", cause));
		assertThat(analysis.getDescription()).isEqualTo("Connection 'default' is MySQL.");
		assertThat(analysis.getAction()).isEqualTo("Set interlace.connections.default.type=duckdb.");
	}

}
