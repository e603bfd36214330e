package dev.cairn.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A horizontal bar per workload: Cairn's advantage over Flink on a log scale, with its target marked. */
final class Chart {

    private static final int LABEL = 230;
    private static final int PLOT = 560;
    private static final int BAR = 22;
    private static final double MIN = 0.1;
    private static final double MAX = 1000;

    private Chart() {
    }

    static void write(List<Results.Advantage> bars, Path file) throws IOException {
        int height = 70 + bars.size() * (BAR + 8);
        BufferedImage img = new BufferedImage(LABEL + PLOT + 40, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Cairn vs Apache Flink (× better; log scale; | target)", 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double tick : new double[] {0.1, 1, 10, 100, 1000}) {
            int x = x(tick);
            g.setColor(tick == 1 ? Color.DARK_GRAY : new Color(220, 220, 220));
            g.drawLine(x, 35, x, height - 20);
            g.setColor(Color.GRAY);
            g.drawString(tick < 1 ? "0.1×" : String.format(Locale.ROOT, "%.0f×", tick), x - 10, height - 6);
        }
        int y = 40;
        for (Results.Advantage a : bars) {
            g.setColor(Color.BLACK);
            g.drawString(a.label(), 10, y + 15);
            if (!Double.isNaN(a.ratio()) && !Double.isInfinite(a.ratio())) {
                double r = Math.max(MIN, Math.min(MAX, a.ratio()));
                boolean met = a.ratio() >= a.target();
                g.setColor(met ? new Color(46, 139, 87) : new Color(205, 92, 92));
                int x0 = x(1);
                int x1 = x(r);
                g.fillRect(Math.min(x0, x1), y, Math.abs(x1 - x0) + 1, BAR);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.2f×", a.ratio()), Math.max(x0, x1) + 4, y + 15);
            }
            g.setStroke(new BasicStroke(2));
            g.setColor(Color.BLUE);
            g.drawLine(x(a.target()), y - 2, x(a.target()), y + BAR + 2);
            g.setStroke(new BasicStroke(1));
            y += BAR + 8;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static int x(double ratio) {
        return LABEL + (int) Math.round((Math.log10(ratio) - Math.log10(MIN)) / (Math.log10(MAX) - Math.log10(MIN)) * PLOT);
    }
}
