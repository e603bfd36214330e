package dev.cairn.console.web;

import dev.cairn.api.monitor.CheckpointView;
import java.util.List;
import java.util.Locale;

/**
 * An SVG chart of recent checkpoints: duration as bars on the left axis (the part spent in
 * barrier alignment darker, at the bar's foot), bytes written as a line on the right.
 */
final class CheckpointChart {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 200;
    private static final int MARGIN = 48;

    private CheckpointChart() {
    }

    static String svg(List<CheckpointView> checkpoints) {
        if (checkpoints.isEmpty()) {
            return "<p class=\"no-checkpoints\">No checkpoint completed yet.</p>";
        }
        long maxMillis = Math.max(1, checkpoints.stream().mapToLong(CheckpointView::durationMillis).max().orElse(1));
        long maxBytes = Math.max(1, checkpoints.stream().mapToLong(CheckpointView::writtenBytes).max().orElse(1));
        double plotWidth = WIDTH - 2 * MARGIN;
        double plotHeight = HEIGHT - 2 * MARGIN / 2.0;
        double step = plotWidth / checkpoints.size();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg class=\"checkpoint-chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                WIDTH, HEIGHT + 20, WIDTH, HEIGHT + 20));
        svg.append("<title>Checkpoint duration (bars, alignment darker) and bytes written (line)</title>");
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < checkpoints.size(); i++) {
            CheckpointView c = checkpoints.get(i);
            double h = plotHeight * c.durationMillis() / maxMillis;
            double a = Math.min(h, plotHeight * c.alignmentMillis() / maxMillis);
            double x = MARGIN + i * step;
            double width = Math.max(1, step - 1);
            String title = String.format(Locale.ROOT, "<title>#%d: %d ms (alignment %.1f ms), wrote %s of %s</title>",
                    c.id(), c.durationMillis(), c.alignmentMillis(), JobsPage.bytes(c.writtenBytes()), JobsPage.bytes(c.stateBytes()));
            svg.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#5b8def\">%s</rect>",
                    x, MARGIN / 2.0 + plotHeight - h, width, h, title));
            svg.append(String.format(Locale.ROOT, "<rect class=\"alignment\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f3f8f\">%s</rect>",
                    x, MARGIN / 2.0 + plotHeight - a, width, a, title));
            double y = MARGIN / 2.0 + plotHeight - plotHeight * c.writtenBytes() / maxBytes;
            line.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", x + step / 2, y));
        }
        svg.append("<polyline points=\"").append(line).append("\" fill=\"none\" stroke=\"#e07b00\" stroke-width=\"2\"/>");
        svg.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"16\" font-size=\"12\">%d ms</text>", maxMillis));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"12\" text-anchor=\"end\" fill=\"#e07b00\">%s</text>",
                WIDTH, JobsPage.bytes(maxBytes)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">checkpoints #%d to #%d</text>",
                MARGIN, HEIGHT + 14, checkpoints.get(0).id(), checkpoints.get(checkpoints.size() - 1).id()));
        return svg.append("</svg>").toString();
    }
}
