-- Whether the hosted form, shown in a frame, sends the customer back to the
-- platform in the whole window (1) or inside the frame (0, the default).
ALTER TABLE programs ADD COLUMN redirect_out_of_frame INTEGER NOT NULL DEFAULT 0;
