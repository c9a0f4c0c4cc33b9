package dev.interlace.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link UnsupportedConnectionException} as a start-up failure with the configuration that fixes it.
 */
class UnsupportedConnectionFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedConnectionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedConnectionException cause) {
		return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
	}

}
